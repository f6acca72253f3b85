-- 0005: a refund that completes a sale gives back the coupon the sale used (if that sale still
-- holds it); the refund remembers which, for its slip and its reports.

ALTER TABLE refund ADD COLUMN coupon_returned TEXT;
