CREATE TABLE `reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`report_id` text NOT NULL,
	`revision` integer NOT NULL,
	`title` text NOT NULL,
	`client` text DEFAULT '' NOT NULL,
	`site` text DEFAULT '' NOT NULL,
	`auditor` text DEFAULT '' NOT NULL,
	`snapshot_id` integer NOT NULL,
	`baseline_id` integer,
	`query` text,
	`created_at` text NOT NULL,
	`content_sha256` text NOT NULL,
	`pdf_sha256` text,
	`pdf_exported_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_revision` ON `reports` (`report_id`,`revision`);--> statement-breakpoint
CREATE TABLE `signoff_snapshots` (
	`signoff_id` integer NOT NULL,
	`snapshot_id` integer NOT NULL,
	PRIMARY KEY(`signoff_id`, `snapshot_id`),
	FOREIGN KEY (`signoff_id`) REFERENCES `signoffs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `signoffs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`report_row_id` integer NOT NULL,
	`report_id` text NOT NULL,
	`revision` integer NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`organisation` text NOT NULL,
	`statement` text NOT NULL,
	`signed_at` text NOT NULL,
	`report_sha256` text NOT NULL,
	FOREIGN KEY (`report_row_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `signoffs_report` ON `signoffs` (`report_id`,`revision`);