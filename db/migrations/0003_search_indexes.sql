CREATE TABLE `search_state_values` (
	`state_id` integer PRIMARY KEY NOT NULL,
	`value_id` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `search_state_values_value` ON `search_state_values` (`value_id`);--> statement-breakpoint
CREATE TABLE `search_value_texts` (
	`id` integer PRIMARY KEY NOT NULL,
	`current_values` text NOT NULL,
	`cause_of_failure` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_value_texts_body` ON `search_value_texts` (`current_values`,`cause_of_failure`);--> statement-breakpoint
CREATE INDEX `posture_states_control_revision` ON `posture_states` (`control_revision_id`);--> statement-breakpoint
CREATE INDEX `posture_states_search` ON `posture_states` (`id`,`posture_id`,`control_revision_id`,`host_revision_id`,`status`,`previous_status`,`is_exception`,`expected_text_id`,`extended_text_id`,`description_text_id`);--> statement-breakpoint
CREATE INDEX `posture_states_host_revision` ON `posture_states` (`host_revision_id`);--> statement-breakpoint
CREATE INDEX `posture_states_expected_text` ON `posture_states` (`expected_text_id`);--> statement-breakpoint
CREATE INDEX `posture_states_extended_text` ON `posture_states` (`extended_text_id`);--> statement-breakpoint
CREATE INDEX `posture_states_description_text` ON `posture_states` (`description_text_id`);