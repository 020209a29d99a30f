/**
 * The broker's one error shape: RFC 9457 problem details (`application/problem+json`) with a
 * stable machine `code` and the request id. A fan-out that failed on every cluster carries the
 * per-cluster `results` too (and the fields of the answer it would have given).
 */
import { z } from "zod";

export const PROBLEM_TYPE_BASE = "https://konduktor-broker.invalid/problems/";

export const FieldProblemSchema = z.object({ field: z.string(), message: z.string() });

export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: `${PROBLEM_TYPE_BASE}forbidden` }),
    title: z.string().meta({ example: "Forbidden" }),
    status: z.number().int().meta({ example: 403 }),
    detail: z.string().meta({ example: "this token may not act for owner 0a1b2c3d" }),
    code: z.string().meta({ example: "forbidden" }),
    requestId: z.string().meta({ example: "4c8e0f0e-8a55-4b8a-b43a-1a2b3c4d5e6f" }),
    instance: z.string().optional(),
    errors: z.array(FieldProblemSchema).optional(),
    results: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .meta({ id: "Problem" });

export type Problem = z.infer<typeof ProblemSchema>;
export type FieldProblem = z.infer<typeof FieldProblemSchema>;
