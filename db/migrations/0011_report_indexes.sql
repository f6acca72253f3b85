-- 0011: the store reports (issue 15 item 10) sum any range of business days per cashier.
-- Without these indexes every report scanned the whole ledger, sale, refund and redemption
-- tables (the older indexes lead with the member or with the recorded time). The ledger's is
-- covering and leads with the terminal: the report counts this till's own entries (the partial
-- replica holds other tills' entries of the same members), and its sums read the index only.

CREATE INDEX ledger_business_day ON ledger_entry (terminal_id, business_date, staff_code, kind, points);
CREATE INDEX sale_business_day ON sale (business_date);
CREATE INDEX refund_business_day ON refund (business_date);
CREATE INDEX redemption_business_day ON redemption (business_date);
