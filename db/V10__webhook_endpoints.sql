-- Step webhooks name an endpoint the administrator configured (rollout.webhook.endpoints.<name>.url and
-- .secret), never a URL: a plan stores {"endpoint": "<name>"}. Attempts are bounded; a call given up stays
-- in the outbox as GIVEN_UP and pauses its rollout (reason webhook-undelivered).

ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_state_check;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_state_check
    CHECK (state IN ('PENDING', 'DELIVERED', 'GIVEN_UP'));

-- Plan versions stored with {"url", "secretRef"}: their URL is no longer called, and no longer shown to
-- anyone who can read plans. The old value moves to retired_webhook, which the service never reads (it is
-- kept for the administrator, who may want to configure that URL as an endpoint); the plan keeps
-- {"urlRetired": true}, so that each of its percentage changes is given up at once and its rollout paused
-- (webhook-undelivered) instead of silently going without the call.
ALTER TABLE plan ADD COLUMN retired_webhook jsonb;
UPDATE plan SET retired_webhook = webhook, webhook = '{"urlRetired": true}'::jsonb WHERE webhook ? 'url';

-- Calls of such plans still queued, or sent, keep no URL either; the queued ones are given up on their next
-- attempt.
UPDATE event_outbox SET payload = (payload - 'url' - 'secretRef') || '{"urlRetired": true}'::jsonb
 WHERE channel = 'webhook' AND payload ? 'url';
