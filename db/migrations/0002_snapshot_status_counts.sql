CREATE TABLE `snapshot_status_counts` (
	`snapshot_id` integer NOT NULL,
	`policy_id` integer NOT NULL,
	`host_id` integer NOT NULL,
	`passed` integer NOT NULL,
	`failed` integer NOT NULL,
	`error` integer NOT NULL,
	`exception` integer NOT NULL,
	`other` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `policy_id`, `host_id`),
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `snapshot_status_counts_ready` (
	`snapshot_id` integer PRIMARY KEY NOT NULL,
	`computed_at` text NOT NULL,
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade
);
