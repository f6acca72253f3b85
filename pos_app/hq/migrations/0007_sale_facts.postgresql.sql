-- 7: what the program simulation reads of each sale, kept beside the event by ingest: the member,
-- the time and business date, the points the till credited, the amount paid with points and
-- coupons, and the lines as a compact JSON array of [line_no, sku, category, qty, unit_price_fen,
-- discount_fen, flags] (NULL: an old till's sale without lines). Replaying 1.5 M sales parsed each
-- event's whole JSON twice (the workers' shares in the server, the sale in Python): more than the
-- earning itself. The sales received before this migration get their facts here.
CREATE TABLE "sale_fact" (
    "event_id" BIGINT NOT NULL PRIMARY KEY,
    "store_id" TEXT NOT NULL,
    "member_uuid" TEXT,
    "at" TEXT NOT NULL,
    "business_date" TEXT NOT NULL,
    "credited" BIGINT NOT NULL,
    "deduction_fen" BIGINT NOT NULL,
    "lines" TEXT
);
CREATE INDEX "sale_fact_business_date" ON "sale_fact" ("business_date");
-- each payload parsed once (a subquery's references to it would each parse it again)
WITH s AS MATERIALIZED (
    SELECT e.id, e.store_id, e.payload::jsonb AS p, e.created_at FROM "event" e WHERE e.kind = 'sale'
), t AS MATERIALIZED (
    SELECT s.*, CASE WHEN jsonb_typeof(s.p -> 'created_at') = 'string' THEN s.p ->> 'created_at'
                     ELSE s.created_at END AS at
    FROM s
)
INSERT INTO "sale_fact" ("event_id", "store_id", "member_uuid", "at", "business_date", "credited", "deduction_fen",
                         "lines")
SELECT t.id, t.store_id,
       CASE WHEN jsonb_typeof(t.p -> 'member') = 'string' THEN t.p ->> 'member' END,
       t.at,
       CASE WHEN jsonb_typeof(t.p -> 'business_date') = 'string' THEN t.p ->> 'business_date' ELSE substr(t.at, 1, 10) END,
       CASE WHEN t.p -> 'credited_purchase' IS NULL AND t.p -> 'earned' IS NOT NULL
            THEN coalesce((t.p ->> 'earned')::bigint, 0)
            ELSE coalesce((t.p ->> 'credited_purchase')::bigint, 0) + coalesce((t.p ->> 'credited_bonus')::bigint, 0)
       END,
       coalesce((t.p ->> 'coupon_fen')::bigint, 0) + coalesce((t.p ->> 'points_value_fen')::bigint, 0),
       CASE WHEN jsonb_typeof(t.p -> 'lines') = 'array' AND jsonb_array_length(t.p -> 'lines') > 0 THEN
           (SELECT jsonb_agg(jsonb_build_array(l -> 'line_no', l -> 'sku', l -> 'category', l -> 'qty',
                                               l -> 'unit_price_fen', l -> 'discount_fen', l -> 'flags') ORDER BY n)::text
            FROM jsonb_array_elements(t.p -> 'lines') WITH ORDINALITY AS x (l, n))
       END
FROM t;
ANALYZE "sale_fact";
