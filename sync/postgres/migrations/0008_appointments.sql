-- Issue 5: appointments at the City's offices. An office's service keeps
-- its slot calendar as JSON (sportello.SlotCalendar). A booking counts the
-- slot's places after taking the writers' turnstile (change_head), so two
-- desktops asking for a slot's last place are ordered: one wins.
CREATE TABLE office_services (
	office_id TEXT COLLATE "C" NOT NULL REFERENCES offices (id),
	id        TEXT COLLATE "C" NOT NULL,
	name      TEXT NOT NULL,
	category  TEXT NOT NULL DEFAULT '',
	calendar  TEXT NOT NULL,
	PRIMARY KEY (office_id, id)
);

CREATE TABLE appointments (
	id         TEXT COLLATE "C" PRIMARY KEY,
	office_id  TEXT COLLATE "C" NOT NULL,
	service    TEXT COLLATE "C" NOT NULL,
	starts_at  TIMESTAMPTZ NOT NULL,
	ends_at    TIMESTAMPTZ NOT NULL,
	citizen_id TEXT COLLATE "C" NOT NULL REFERENCES citizens (id),
	case_id    TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
	status     TEXT NOT NULL CHECK (status IN ('booked', 'moved', 'cancelled')),
	booked_by  TEXT COLLATE "C" NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	FOREIGN KEY (office_id, service) REFERENCES office_services (office_id, id)
);
CREATE INDEX appointments_slot ON appointments (office_id, service, starts_at) WHERE status <> 'cancelled';
CREATE INDEX appointments_citizen ON appointments (citizen_id, starts_at);
CREATE INDEX appointments_created ON appointments (created_at);
