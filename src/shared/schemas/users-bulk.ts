/**
 * Bulk actions on the User Accounts list: the same change to many accounts at once, all or
 * nothing. Each account goes through the single action's own rules and audit entry; if any is
 * refused, nothing changes and the answer (409 bulk_refused) lists every refused one.
 */
import { z } from 'zod';

export const BULK_USERS_MAX = 500;

/** The bulk actions (besides Delete and Export, which have their own routes and permissions). */
export const BULK_USER_ACTIONS = ['enable', 'disable', 'changeSecurityGroup', 'requireMfa'] as const;
export type BulkUserAction = (typeof BULK_USER_ACTIONS)[number];

/** 1 to 500 account IDs, each once. */
export const BulkUserIdsSchema = z
  .array(z.string().min(1).max(64))
  .min(1, 'Select at least one account.')
  .max(BULK_USERS_MAX, `At most ${BULK_USERS_MAX} accounts can be changed at once.`)
  .refine((ids) => new Set(ids).size === ids.length, 'Each account may be listed only once.');

export const BulkUserActionSchema = z
  .object({
    /**
     * enable / disable: the Account Status (disabling ends the accounts' sessions and destroys their
     * API tokens at once); changeSecurityGroup: to `securityGroupId`; requireMfa: "Enroll in
     * Multi-Factor Authentication" as the Password & Security tab sets it (the next sign-in enrolls).
     */
    action: z.enum(BULK_USER_ACTIONS),
    userIds: BulkUserIdsSchema,
    /** Only with changeSecurityGroup, which needs it. */
    securityGroupId: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.action === 'changeSecurityGroup' && !body.securityGroupId)
      ctx.addIssue({ code: 'custom', path: ['securityGroupId'], message: 'Choose the security group.' });
    if (body.action !== 'changeSecurityGroup' && body.securityGroupId !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['securityGroupId'],
        message: 'Only Change Security Group takes a security group.',
      });
  });
export type BulkUserActionInput = z.infer<typeof BulkUserActionSchema>;

export const BulkUserIdsBodySchema = z.object({ userIds: BulkUserIdsSchema }).strict();

export const BulkUserResultSchema = z.object({
  /** Accounts changed (an account already as asked, say enabled when enabling, is not counted). */
  updated: z.number(),
});
export type BulkUserResult = z.infer<typeof BulkUserResultSchema>;

export const BulkDeleteUsersResultSchema = z.object({ deleted: z.number() });
