import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsRfc3339DateTime } from './time';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export class PageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit: number = DEFAULT_LIMIT;

  /** Any offset past the end answers an empty page; beyond 2^53 a number is no longer exact (422). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset: number = 0;
}

/**
 * A list of records that change: besides the page, `updated_since` (RFC 3339) keeps only those
 * changed at or after it, so a client can poll for what changed.
 */
export class ChangedSinceQueryDto extends PageQueryDto {
  @IsOptional()
  @IsRfc3339DateTime()
  updated_since?: string;
}

/** Accepts `a,b` or repeated query params (`?x=a&x=b`) as an array of trimmed strings. */
export const CommaList = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === undefined || value === null || value === '') return undefined;
    const parts = Array.isArray(value) ? value : [value];
    return parts.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
  });
