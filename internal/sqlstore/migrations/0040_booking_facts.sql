-- booking_fact_change logs, in commit order, every write that changes
-- what a booking reads before it is placed: an instrument's detail (its
-- row, unit, items, rates, managers: kinds i, u, r), a user's
-- membership (m), violations (v) and qualifications (q); ref is the
-- instrument, unit, service item or user. The booking facts cache
-- (sqlstore/booking_facts.go) drops what an entry names before it serves
-- a booking. Triggers write it, so no write path (imports, COPY, other
-- processes) can forget to; on PostgreSQL they are per statement over
-- the transition tables, so a bulk COPY adds one INSERT ... SELECT; on
-- SQLite they are per row (an update logs the old key too only when it
-- moved).
-- Writes to these tables run under the writer lock (inTx) on
-- PostgreSQL and on SQLite's single writer, so ids commit in order.
CREATE TABLE booking_fact_change (
    id   @ID@,
    kind TEXT NOT NULL,
    ref  BIGINT NOT NULL
);

-- postgres only
CREATE FUNCTION booking_fact_instrument() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'i', id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'i', id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'i', id FROM new_rows UNION SELECT 'i', id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_instrument_upd AFTER UPDATE ON instrument REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument();
-- postgres only
CREATE TRIGGER booking_fact_instrument_del AFTER DELETE ON instrument REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument();
-- sqlite only
CREATE TRIGGER booking_fact_instrument_upd AFTER UPDATE ON instrument BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', NEW.id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_mov AFTER UPDATE OF id ON instrument WHEN OLD.id IS NOT NEW.id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', OLD.id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_del AFTER DELETE ON instrument BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', OLD.id); END;
-- postgres only
CREATE FUNCTION booking_fact_sharing_unit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'u', id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'u', id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'u', id FROM new_rows UNION SELECT 'u', id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_sharing_unit_upd AFTER UPDATE ON sharing_unit REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_sharing_unit();
-- postgres only
CREATE TRIGGER booking_fact_sharing_unit_del AFTER DELETE ON sharing_unit REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_sharing_unit();
-- sqlite only
CREATE TRIGGER booking_fact_sharing_unit_upd AFTER UPDATE ON sharing_unit BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('u', NEW.id); END;
-- sqlite only
CREATE TRIGGER booking_fact_sharing_unit_mov AFTER UPDATE OF id ON sharing_unit WHEN OLD.id IS NOT NEW.id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('u', OLD.id); END;
-- sqlite only
CREATE TRIGGER booking_fact_sharing_unit_del AFTER DELETE ON sharing_unit BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('u', OLD.id); END;
-- postgres only
CREATE FUNCTION booking_fact_service_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'i', instrument_id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'i', instrument_id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'i', instrument_id FROM new_rows UNION SELECT 'i', instrument_id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_service_item_ins AFTER INSERT ON service_item REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_service_item();
-- postgres only
CREATE TRIGGER booking_fact_service_item_upd AFTER UPDATE ON service_item REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_service_item();
-- postgres only
CREATE TRIGGER booking_fact_service_item_del AFTER DELETE ON service_item REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_service_item();
-- sqlite only
CREATE TRIGGER booking_fact_service_item_ins AFTER INSERT ON service_item BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', NEW.instrument_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_service_item_upd AFTER UPDATE ON service_item BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', NEW.instrument_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_service_item_mov AFTER UPDATE OF instrument_id ON service_item WHEN OLD.instrument_id IS NOT NEW.instrument_id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', OLD.instrument_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_service_item_del AFTER DELETE ON service_item BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', OLD.instrument_id); END;
-- postgres only
CREATE FUNCTION booking_fact_service_rate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'r', item_id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'r', item_id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'r', item_id FROM new_rows UNION SELECT 'r', item_id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_service_rate_ins AFTER INSERT ON service_rate REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_service_rate();
-- postgres only
CREATE TRIGGER booking_fact_service_rate_upd AFTER UPDATE ON service_rate REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_service_rate();
-- postgres only
CREATE TRIGGER booking_fact_service_rate_del AFTER DELETE ON service_rate REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_service_rate();
-- sqlite only
CREATE TRIGGER booking_fact_service_rate_ins AFTER INSERT ON service_rate BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('r', NEW.item_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_service_rate_upd AFTER UPDATE ON service_rate BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('r', NEW.item_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_service_rate_mov AFTER UPDATE OF item_id ON service_rate WHEN OLD.item_id IS NOT NEW.item_id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('r', OLD.item_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_service_rate_del AFTER DELETE ON service_rate BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('r', OLD.item_id); END;
-- postgres only
CREATE FUNCTION booking_fact_instrument_manager() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'i', instrument_id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'i', instrument_id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'i', instrument_id FROM new_rows UNION SELECT 'i', instrument_id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_instrument_manager_ins AFTER INSERT ON instrument_manager REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument_manager();
-- postgres only
CREATE TRIGGER booking_fact_instrument_manager_upd AFTER UPDATE ON instrument_manager REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument_manager();
-- postgres only
CREATE TRIGGER booking_fact_instrument_manager_del AFTER DELETE ON instrument_manager REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument_manager();
-- sqlite only
CREATE TRIGGER booking_fact_instrument_manager_ins AFTER INSERT ON instrument_manager BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', NEW.instrument_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_manager_upd AFTER UPDATE ON instrument_manager BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', NEW.instrument_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_manager_mov AFTER UPDATE OF instrument_id ON instrument_manager WHEN OLD.instrument_id IS NOT NEW.instrument_id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', OLD.instrument_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_manager_del AFTER DELETE ON instrument_manager BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('i', OLD.instrument_id); END;
-- postgres only
CREATE FUNCTION booking_fact_sharing_member() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'm', user_id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'm', user_id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'm', user_id FROM new_rows UNION SELECT 'm', user_id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_sharing_member_ins AFTER INSERT ON sharing_member REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_sharing_member();
-- postgres only
CREATE TRIGGER booking_fact_sharing_member_upd AFTER UPDATE ON sharing_member REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_sharing_member();
-- postgres only
CREATE TRIGGER booking_fact_sharing_member_del AFTER DELETE ON sharing_member REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_sharing_member();
-- sqlite only
CREATE TRIGGER booking_fact_sharing_member_ins AFTER INSERT ON sharing_member BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('m', NEW.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_sharing_member_upd AFTER UPDATE ON sharing_member BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('m', NEW.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_sharing_member_mov AFTER UPDATE OF user_id ON sharing_member WHEN OLD.user_id IS NOT NEW.user_id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('m', OLD.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_sharing_member_del AFTER DELETE ON sharing_member BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('m', OLD.user_id); END;
-- postgres only
CREATE FUNCTION booking_fact_booking_violation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'v', user_id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'v', user_id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'v', user_id FROM new_rows UNION SELECT 'v', user_id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_booking_violation_ins AFTER INSERT ON booking_violation REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_booking_violation();
-- postgres only
CREATE TRIGGER booking_fact_booking_violation_upd AFTER UPDATE ON booking_violation REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_booking_violation();
-- postgres only
CREATE TRIGGER booking_fact_booking_violation_del AFTER DELETE ON booking_violation REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_booking_violation();
-- sqlite only
CREATE TRIGGER booking_fact_booking_violation_ins AFTER INSERT ON booking_violation BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('v', NEW.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_booking_violation_upd AFTER UPDATE ON booking_violation BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('v', NEW.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_booking_violation_mov AFTER UPDATE OF user_id ON booking_violation WHEN OLD.user_id IS NOT NEW.user_id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('v', OLD.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_booking_violation_del AFTER DELETE ON booking_violation BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('v', OLD.user_id); END;
-- postgres only
CREATE FUNCTION booking_fact_instrument_qualification() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'q', user_id FROM new_rows; ELSIF TG_OP = 'DELETE' THEN INSERT INTO booking_fact_change (kind, ref) SELECT DISTINCT 'q', user_id FROM old_rows; ELSE INSERT INTO booking_fact_change (kind, ref) SELECT 'q', user_id FROM new_rows UNION SELECT 'q', user_id FROM old_rows; END IF; RETURN NULL; END $$;
-- postgres only
CREATE TRIGGER booking_fact_instrument_qualification_ins AFTER INSERT ON instrument_qualification REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument_qualification();
-- postgres only
CREATE TRIGGER booking_fact_instrument_qualification_upd AFTER UPDATE ON instrument_qualification REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument_qualification();
-- postgres only
CREATE TRIGGER booking_fact_instrument_qualification_del AFTER DELETE ON instrument_qualification REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_fact_instrument_qualification();
-- sqlite only
CREATE TRIGGER booking_fact_instrument_qualification_ins AFTER INSERT ON instrument_qualification BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('q', NEW.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_qualification_upd AFTER UPDATE ON instrument_qualification BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('q', NEW.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_qualification_mov AFTER UPDATE OF user_id ON instrument_qualification WHEN OLD.user_id IS NOT NEW.user_id BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('q', OLD.user_id); END;
-- sqlite only
CREATE TRIGGER booking_fact_instrument_qualification_del AFTER DELETE ON instrument_qualification BEGIN INSERT INTO booking_fact_change (kind, ref) VALUES ('q', OLD.user_id); END;
