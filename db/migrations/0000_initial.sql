CREATE TABLE `control_revisions` (
	`id` integer PRIMARY KEY NOT NULL,
	`sha256` blob NOT NULL,
	`control_id` integer NOT NULL,
	`statement_text_id` integer,
	`rationale_text_id` integer,
	`remediation_text_id` integer,
	`category` text,
	`sub_category` text,
	`control_reference` text,
	`technology_id` integer,
	`technology_name` text,
	`criticality_value` integer,
	`criticality_label` text,
	FOREIGN KEY (`statement_text_id`) REFERENCES `texts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rationale_text_id`) REFERENCES `texts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`remediation_text_id`) REFERENCES `texts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `control_revisions_sha256_unique` ON `control_revisions` (`sha256`);--> statement-breakpoint
CREATE INDEX `control_revisions_control` ON `control_revisions` (`control_id`);--> statement-breakpoint
CREATE TABLE `host_revisions` (
	`id` integer PRIMARY KEY NOT NULL,
	`sha256` blob NOT NULL,
	`host_id` integer NOT NULL,
	`ip` text,
	`dns` text,
	`netbios` text,
	`domain_name` text,
	`os` text,
	`os_cpe` text,
	`tracking_method` text,
	`network_id` integer,
	`network_name` text,
	`qg_host_id` text,
	`asset_id` integer,
	`customer_uuid` text,
	`customer_id` text,
	`cloud_resource_id` text,
	`cloud_provider` text,
	`cloud` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `host_revisions_sha256_unique` ON `host_revisions` (`sha256`);--> statement-breakpoint
CREATE INDEX `host_revisions_host` ON `host_revisions` (`host_id`);--> statement-breakpoint
CREATE INDEX `host_revisions_ip` ON `host_revisions` (`ip`);--> statement-breakpoint
CREATE TABLE `policies` (
	`id` integer PRIMARY KEY NOT NULL,
	`title` text
);
--> statement-breakpoint
CREATE TABLE `posture_states` (
	`id` integer PRIMARY KEY NOT NULL,
	`sha256` blob NOT NULL,
	`posture_id` integer NOT NULL,
	`record_id` integer,
	`policy_title` text,
	`status` text NOT NULL,
	`previous_status` text,
	`status_class` text NOT NULL,
	`is_exception` integer NOT NULL,
	`first_fail_date` text,
	`last_fail_date` text,
	`first_pass_date` text,
	`last_pass_date` text,
	`posture_modified_date` text,
	`last_evaluated_date` text,
	`created_date` text,
	`last_scan_date` text,
	`control_revision_id` integer NOT NULL,
	`host_revision_id` integer NOT NULL,
	`evidence_sha256` blob,
	`expected_text_id` integer,
	`current_values` text,
	`actual_values` text,
	`extended_text_id` integer,
	`description_text_id` integer,
	`evidence_updated` text,
	`cause_of_failure` text,
	`data_size_kb` real,
	`raw` blob NOT NULL,
	FOREIGN KEY (`posture_id`) REFERENCES `postures`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`control_revision_id`) REFERENCES `control_revisions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`host_revision_id`) REFERENCES `host_revisions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`expected_text_id`) REFERENCES `texts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`extended_text_id`) REFERENCES `texts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`description_text_id`) REFERENCES `texts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `posture_states_sha256_unique` ON `posture_states` (`sha256`);--> statement-breakpoint
CREATE INDEX `posture_states_posture` ON `posture_states` (`posture_id`);--> statement-breakpoint
CREATE TABLE `postures` (
	`id` integer PRIMARY KEY NOT NULL,
	`policy_id` integer NOT NULL,
	`host_id` integer NOT NULL,
	`control_id` integer NOT NULL,
	`instance` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `postures_identity` ON `postures` (`policy_id`,`host_id`,`control_id`,`instance`);--> statement-breakpoint
CREATE INDEX `postures_host` ON `postures` (`host_id`);--> statement-breakpoint
CREATE INDEX `postures_control` ON `postures` (`control_id`);--> statement-breakpoint
CREATE TABLE `pull_slices` (
	`snapshot_id` integer NOT NULL,
	`slice_index` integer NOT NULL,
	`body` text NOT NULL,
	`state` text NOT NULL,
	`records` integer DEFAULT 0 NOT NULL,
	`completed_at` text,
	PRIMARY KEY(`snapshot_id`, `slice_index`),
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `raw_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`snapshot_id` integer NOT NULL,
	`slice_index` integer NOT NULL,
	`url` text NOT NULL,
	`received_at` text NOT NULL,
	`http_status` integer NOT NULL,
	`sha256` text NOT NULL,
	`byte_length` integer NOT NULL,
	`records` integer NOT NULL,
	`body` blob,
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `raw_responses_snapshot` ON `raw_responses` (`snapshot_id`,`slice_index`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `snapshot_hosts` (
	`snapshot_id` integer NOT NULL,
	`policy_id` integer NOT NULL,
	`host_id` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `policy_id`, `host_id`),
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `snapshot_members` (
	`snapshot_id` integer NOT NULL,
	`posture_id` integer NOT NULL,
	`state_id` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `posture_id`),
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`posture_id`) REFERENCES `postures`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`state_id`) REFERENCES `posture_states`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `snapshot_policies` (
	`snapshot_id` integer NOT NULL,
	`policy_id` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `policy_id`),
	FOREIGN KEY (`snapshot_id`) REFERENCES `snapshots`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`label` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`completed_at` text,
	`state` text NOT NULL,
	`owner_pid` integer,
	`source_kind` text NOT NULL,
	`source` text NOT NULL,
	`api_version` text,
	`params` text,
	`base_snapshot_id` integer,
	`host_scope_known` integer DEFAULT false NOT NULL,
	`record_count` integer DEFAULT 0 NOT NULL,
	`status_counts` text,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`input_sha256` text,
	`input_bytes` integer,
	`content_sha256` text,
	`watermarks` text
);
--> statement-breakpoint
CREATE INDEX `snapshots_state_created` ON `snapshots` (`state`,`created_at`);--> statement-breakpoint
CREATE TABLE `texts` (
	`id` integer PRIMARY KEY NOT NULL,
	`sha256` blob NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `texts_sha256_unique` ON `texts` (`sha256`);