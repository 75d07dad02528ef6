-- Full-text indexes for offline search, kept in step by triggers so the snapshot writer
-- needs no change, and filled from the existing rows at the end for older databases.
-- Each distinct text is indexed once: texts by text id, control and host attributes by
-- revision id, policy titles by policy id, and current values with cause of failure by
-- distinct value pair. db/search/fts.ts builds the MATCH expressions against these.
CREATE VIRTUAL TABLE search_texts USING fts5(body, content='texts', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER search_texts_insert AFTER INSERT ON texts BEGIN
  INSERT INTO search_texts(rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER search_texts_update AFTER UPDATE OF body ON texts BEGIN
  INSERT INTO search_texts(search_texts, rowid, body) VALUES ('delete', old.id, old.body);
  INSERT INTO search_texts(rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER search_texts_delete AFTER DELETE ON texts BEGIN
  INSERT INTO search_texts(search_texts, rowid, body) VALUES ('delete', old.id, old.body);
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE search_controls USING fts5(statement, rationale, remediation, category, sub_category, technology, criticality, control_id, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER search_controls_insert AFTER INSERT ON control_revisions BEGIN
  INSERT INTO search_controls(rowid, statement, rationale, remediation, category, sub_category, technology, criticality, control_id)
  VALUES (
    new.id,
    (SELECT body FROM texts WHERE id = new.statement_text_id),
    (SELECT body FROM texts WHERE id = new.rationale_text_id),
    (SELECT body FROM texts WHERE id = new.remediation_text_id),
    new.category, new.sub_category, new.technology_name, new.criticality_label, new.control_id
  );
END;
--> statement-breakpoint
CREATE TRIGGER search_controls_update AFTER UPDATE ON control_revisions BEGIN
  DELETE FROM search_controls WHERE rowid = old.id;
  INSERT INTO search_controls(rowid, statement, rationale, remediation, category, sub_category, technology, criticality, control_id)
  VALUES (
    new.id,
    (SELECT body FROM texts WHERE id = new.statement_text_id),
    (SELECT body FROM texts WHERE id = new.rationale_text_id),
    (SELECT body FROM texts WHERE id = new.remediation_text_id),
    new.category, new.sub_category, new.technology_name, new.criticality_label, new.control_id
  );
END;
--> statement-breakpoint
CREATE TRIGGER search_controls_delete AFTER DELETE ON control_revisions BEGIN
  DELETE FROM search_controls WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE search_hosts USING fts5(ip, dns, netbios, domain, os, os_cpe, network, host_id, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER search_hosts_insert AFTER INSERT ON host_revisions BEGIN
  INSERT INTO search_hosts(rowid, ip, dns, netbios, domain, os, os_cpe, network, host_id)
  VALUES (new.id, new.ip, new.dns, new.netbios, new.domain_name, new.os, new.os_cpe, new.network_name, new.host_id);
END;
--> statement-breakpoint
CREATE TRIGGER search_hosts_update AFTER UPDATE ON host_revisions BEGIN
  DELETE FROM search_hosts WHERE rowid = old.id;
  INSERT INTO search_hosts(rowid, ip, dns, netbios, domain, os, os_cpe, network, host_id)
  VALUES (new.id, new.ip, new.dns, new.netbios, new.domain_name, new.os, new.os_cpe, new.network_name, new.host_id);
END;
--> statement-breakpoint
CREATE TRIGGER search_hosts_delete AFTER DELETE ON host_revisions BEGIN
  DELETE FROM search_hosts WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE search_policies USING fts5(title, content='policies', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER search_policies_insert AFTER INSERT ON policies BEGIN
  INSERT INTO search_policies(rowid, title) VALUES (new.id, new.title);
END;
--> statement-breakpoint
CREATE TRIGGER search_policies_update AFTER UPDATE OF title ON policies BEGIN
  INSERT INTO search_policies(search_policies, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO search_policies(rowid, title) VALUES (new.id, new.title);
END;
--> statement-breakpoint
CREATE TRIGGER search_policies_delete AFTER DELETE ON policies BEGIN
  INSERT INTO search_policies(search_policies, rowid, title) VALUES ('delete', old.id, old.title);
END;
--> statement-breakpoint
-- The JSON values flattened to their scalar leaves, so keys such as "missing" or
-- "unexpected" are not searchable words. Text that is not JSON is indexed as it is.
CREATE VIRTUAL TABLE search_values USING fts5(current_values, cause_of_failure, content='', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER search_values_insert AFTER INSERT ON search_value_texts BEGIN
  INSERT INTO search_values(rowid, current_values, cause_of_failure)
  VALUES (
    new.id,
    (SELECT group_concat(value, ' ') FROM json_tree(CASE WHEN json_valid(new.current_values) THEN new.current_values ELSE json_quote(new.current_values) END) WHERE atom IS NOT NULL),
    (SELECT group_concat(value, ' ') FROM json_tree(CASE WHEN json_valid(new.cause_of_failure) THEN new.cause_of_failure ELSE json_quote(new.cause_of_failure) END) WHERE atom IS NOT NULL)
  );
END;
--> statement-breakpoint
-- The store keeps a JSON null as the text 'null'; states with neither value get no row.
CREATE TRIGGER search_state_values_insert AFTER INSERT ON posture_states
WHEN coalesce(new.current_values, 'null') <> 'null' OR coalesce(new.cause_of_failure, 'null') <> 'null' BEGIN
  INSERT OR IGNORE INTO search_value_texts(current_values, cause_of_failure)
  VALUES (coalesce(new.current_values, ''), coalesce(new.cause_of_failure, ''));
  INSERT INTO search_state_values(state_id, value_id)
  SELECT new.id, id FROM search_value_texts
   WHERE current_values = coalesce(new.current_values, '') AND cause_of_failure = coalesce(new.cause_of_failure, '');
END;
--> statement-breakpoint
CREATE TRIGGER search_state_values_delete AFTER DELETE ON posture_states BEGIN
  DELETE FROM search_state_values WHERE state_id = old.id;
END;
--> statement-breakpoint
-- Backfill for a database that already holds snapshots.
INSERT INTO search_texts(search_texts) VALUES ('rebuild');
--> statement-breakpoint
INSERT INTO search_policies(search_policies) VALUES ('rebuild');
--> statement-breakpoint
INSERT INTO search_controls(rowid, statement, rationale, remediation, category, sub_category, technology, criticality, control_id)
SELECT c.id,
       (SELECT body FROM texts WHERE id = c.statement_text_id),
       (SELECT body FROM texts WHERE id = c.rationale_text_id),
       (SELECT body FROM texts WHERE id = c.remediation_text_id),
       c.category, c.sub_category, c.technology_name, c.criticality_label, c.control_id
  FROM control_revisions c;
--> statement-breakpoint
INSERT INTO search_hosts(rowid, ip, dns, netbios, domain, os, os_cpe, network, host_id)
SELECT id, ip, dns, netbios, domain_name, os, os_cpe, network_name, host_id FROM host_revisions;
--> statement-breakpoint
INSERT OR IGNORE INTO search_value_texts(current_values, cause_of_failure)
SELECT DISTINCT coalesce(current_values, ''), coalesce(cause_of_failure, '')
  FROM posture_states
 WHERE coalesce(current_values, 'null') <> 'null' OR coalesce(cause_of_failure, 'null') <> 'null';
--> statement-breakpoint
INSERT INTO search_state_values(state_id, value_id)
SELECT s.id, v.id
  FROM posture_states s
  JOIN search_value_texts v ON v.current_values = coalesce(s.current_values, '') AND v.cause_of_failure = coalesce(s.cause_of_failure, '')
 WHERE coalesce(s.current_values, 'null') <> 'null' OR coalesce(s.cause_of_failure, 'null') <> 'null';
