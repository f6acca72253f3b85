-- 0009: a member merged into another at headquarters (issue 14, hq.merge). The merged member's
-- points went to the surviving member by merge_out/merge_in entries on headquarters' chain;
-- identifying the merged member's card or phone at this till leads to the surviving member.
ALTER TABLE member ADD COLUMN merged_into TEXT;
