-- The snapshot writer fills the search tables itself at the end of each write
-- transaction (db/search/maintain.ts), so the row triggers that did it go: indexing each
-- evidence text through a trigger made an import several seconds slower per 100,000
-- texts, against a fraction of a second for one statement per transaction. The update
-- and delete triggers stay, as they fire rarely.
DROP TRIGGER search_texts_insert;
--> statement-breakpoint
DROP TRIGGER search_values_insert;
--> statement-breakpoint
DROP TRIGGER search_state_values_insert;
