-- Issue 5: appointments at the City's offices. An office's service keeps
-- its slot calendar as JSON (sportello.SlotCalendar). The places of a slot
-- are counted inside the single writer's transaction that books one, so
-- two desktops asking for a slot's last place are ordered: one wins.
CREATE TABLE office_services (
	office_id TEXT NOT NULL REFERENCES offices (id),
	id        TEXT NOT NULL,
	name      TEXT NOT NULL,
	category  TEXT NOT NULL DEFAULT '',
	calendar  TEXT NOT NULL,
	PRIMARY KEY (office_id, id)
);

CREATE TABLE appointments (
	id         TEXT PRIMARY KEY,
	office_id  TEXT NOT NULL,
	service    TEXT NOT NULL,
	starts_at  TEXT NOT NULL,
	ends_at    TEXT NOT NULL,
	citizen_id TEXT NOT NULL REFERENCES citizens (id),
	case_id    TEXT NOT NULL REFERENCES cases (id),
	status     TEXT NOT NULL CHECK (status IN ('booked', 'moved', 'cancelled')),
	booked_by  TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	FOREIGN KEY (office_id, service) REFERENCES office_services (office_id, id)
);
CREATE INDEX appointments_slot ON appointments (office_id, service, starts_at) WHERE status <> 'cancelled';
CREATE INDEX appointments_citizen ON appointments (citizen_id, starts_at);
CREATE INDEX appointments_created ON appointments (created_at);
