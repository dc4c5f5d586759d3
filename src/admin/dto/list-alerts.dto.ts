import { IsIn, IsOptional } from 'class-validator';
import { ALERT_RULES } from '../../alerts/alert';
import { AuditFiltersDto } from '../../audit/dto/list-audit-events.dto';

/** GET /api/admin/alerts: the shared audit filters plus the rule that fired (the type is always alert_raised). */
export class ListAlertsDto extends AuditFiltersDto {
  @IsOptional()
  @IsIn(ALERT_RULES, { message: `rule must be one of ${ALERT_RULES.join(', ')}` })
  rule?: string;
}
