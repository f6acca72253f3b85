-- 8: the chain's product catalogue (issue 15 item 7): imported at headquarters from the ERP's CSV
-- (`pos-hq product import`) and sent to every till by the change feed (kind `product`).
CREATE TABLE "product" ("sku" TEXT NOT NULL PRIMARY KEY, "barcode" TEXT, "name" TEXT NOT NULL, "category" TEXT NOT NULL, "price_fen" BIGINT NOT NULL, "flags" TEXT NOT NULL, "active" BOOLEAN NOT NULL, "updated_at" TEXT NOT NULL);
