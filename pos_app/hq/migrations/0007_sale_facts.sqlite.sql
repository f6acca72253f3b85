-- 7: what the program simulation reads of each sale, kept beside the event by ingest (see the
-- PostgreSQL file). The sales received before this migration get their facts here.
CREATE TABLE "sale_fact" (
    "event_id" INTEGER NOT NULL PRIMARY KEY,
    "store_id" TEXT NOT NULL,
    "member_uuid" TEXT,
    "at" TEXT NOT NULL,
    "business_date" TEXT NOT NULL,
    "credited" INTEGER NOT NULL,
    "deduction_fen" INTEGER NOT NULL,
    "lines" TEXT
);
CREATE INDEX "sale_fact_business_date" ON "sale_fact" ("business_date");
INSERT INTO "sale_fact" ("event_id", "store_id", "member_uuid", "at", "business_date", "credited", "deduction_fen",
                         "lines")
SELECT s.id, s.store_id,
       CASE WHEN json_type(s.payload, '$.member') = 'text' THEN json_extract(s.payload, '$.member') END,
       s.at,
       CASE WHEN json_type(s.payload, '$.business_date') = 'text' THEN json_extract(s.payload, '$.business_date')
            ELSE substr(s.at, 1, 10) END,
       CASE WHEN json_type(s.payload, '$.credited_purchase') IS NULL AND json_type(s.payload, '$.earned') IS NOT NULL
            THEN coalesce(json_extract(s.payload, '$.earned'), 0)
            ELSE coalesce(json_extract(s.payload, '$.credited_purchase'), 0)
                 + coalesce(json_extract(s.payload, '$.credited_bonus'), 0)
       END,
       coalesce(json_extract(s.payload, '$.coupon_fen'), 0) + coalesce(json_extract(s.payload, '$.points_value_fen'), 0),
       CASE WHEN json_type(s.payload, '$.lines') = 'array' AND json_array_length(s.payload, '$.lines') > 0 THEN
           (SELECT json_group_array(json_array(json_extract(l.value, '$.line_no'), json_extract(l.value, '$.sku'),
                                               json_extract(l.value, '$.category'), json_extract(l.value, '$.qty'),
                                               json_extract(l.value, '$.unit_price_fen'),
                                               json_extract(l.value, '$.discount_fen'), json_extract(l.value, '$.flags')))
            FROM json_each(s.payload, '$.lines') AS l)
       END
FROM (SELECT e.id, e.store_id, e.payload,
             CASE WHEN json_type(e.payload, '$.created_at') = 'text' THEN json_extract(e.payload, '$.created_at')
                  ELSE e.created_at END AS at
      FROM "event" e WHERE e.kind = 'sale') s;
