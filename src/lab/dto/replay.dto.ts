import { IsIn } from 'class-validator';

export const LAB_ATTACKS = ['alg-none', 'other-user-agent', 'no-fingerprint-cookie'] as const;
export type LabAttack = (typeof LAB_ATTACKS)[number];

export class ReplayDto {
  @IsIn(LAB_ATTACKS)
  attack!: LabAttack;
}
