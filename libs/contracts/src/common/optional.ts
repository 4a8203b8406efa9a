import { ValidateIf } from 'class-validator';

/**
 * Optional, but not nullable: an absent property is skipped, an explicit `null` is validated
 * (and so rejected by the type checks that follow). class-validator's IsOptional lets null through,
 * which for a NOT NULL column would end as a database error instead of a 422.
 */
export const IsOptionalNonNull = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
