package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/check"
)

// Open311Services returns the services city apps may file requests for,
// in code order.
func (db *DB) Open311Services(ctx context.Context) ([]sportello.Open311Service, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM open311_services ORDER BY code`)
	if err != nil {
		return nil, internal("open311 services", err)
	}
	defer rows.Close()
	out := []sportello.Open311Service{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, internal("open311 services", err)
		}
		var s sportello.Open311Service
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			return nil, internal("open311 services", err)
		}
		out = append(out, s)
	}
	return out, internal("open311 services", rows.Err())
}

// Open311Service returns the service of a code, or ENOTFOUND.
func (db *DB) Open311Service(ctx context.Context, code string) (*sportello.Open311Service, error) {
	s, err := loadOpen311Service(ctx, db.read, code)
	return s, internal("open311 service", err)
}

func loadOpen311Service(ctx context.Context, q queryer, code string) (*sportello.Open311Service, error) {
	var body string
	err := q.QueryRowContext(ctx, `SELECT body FROM open311_services WHERE code = ?`, code).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no service has code %s", check.Clip(code, 64))
	} else if err != nil {
		return nil, err
	}
	var s sportello.Open311Service
	return &s, json.Unmarshal([]byte(body), &s)
}

// PutOpen311Services stores services, replacing those with the same code:
// this is how a city maps its service codes to categories and desks.
func (db *DB) PutOpen311Services(ctx context.Context, services []sportello.Open311Service) error {
	return internal("put open311 services", db.update(ctx, func(tx *sql.Tx) error { return putOpen311Services(ctx, tx, services) }))
}

func putOpen311Services(ctx context.Context, tx *sql.Tx, services []sportello.Open311Service) error {
	for _, s := range services {
		if err := s.Validate(); err != nil {
			return err
		}
		if err := deskExists(ctx, tx, s.DeskID); err != nil {
			return err
		}
		body, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO open311_services (code, category, desk_id, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET category = excluded.category, desk_id = excluded.desk_id, body = excluded.body`,
			s.Code, s.Category, s.DeskID, string(body)); err != nil {
			return fmt.Errorf("store open311 service %s: %w", s.Code, err)
		}
	}
	return nil
}

// AddOpen311Key stores an API key for a city app named name; only its hash
// is kept. A name already used is ECONFLICT.
func (db *DB) AddOpen311Key(ctx context.Context, name, key string) (*sportello.Open311Key, error) {
	var k *sportello.Open311Key
	err := db.update(ctx, func(tx *sql.Tx) error {
		var err error
		k, err = addOpen311Key(ctx, tx, name, key, db.Now().UTC())
		return err
	})
	return k, internal("add open311 key", err)
}

func addOpen311Key(ctx context.Context, tx *sql.Tx, name, key string, now time.Time) (*sportello.Open311Key, error) {
	name, err := check.Open311KeyName(name)
	if err != nil {
		return nil, err
	}
	if len(key) < 16 {
		return nil, sportello.Errorf(sportello.EINVALID, "an API key has at least 16 characters")
	}
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM open311_keys WHERE name = ? OR key_hash = ?`, name, tokenHash(key)).Scan(&taken); err != nil {
		return nil, err
	}
	if taken > 0 {
		return nil, sportello.Errorf(sportello.ECONFLICT, "an API key named %q exists already", name)
	}
	k := &sportello.Open311Key{ID: newID(), Name: name, CreatedAt: now.Truncate(time.Second)}
	_, err = tx.ExecContext(ctx, `INSERT INTO open311_keys (id, name, key_hash, created_at) VALUES (?, ?, ?, ?)`,
		k.ID, k.Name, tokenHash(key), encodeTime(k.CreatedAt))
	return k, err
}

// errBadKey is the one answer to an unknown API key.
var errBadKey = sportello.Errorf(sportello.EFORBIDDEN, "invalid api_key")

// Open311KeyFor returns the API key key is, or EFORBIDDEN.
func (db *DB) Open311KeyFor(ctx context.Context, key string) (*sportello.Open311Key, error) {
	var k sportello.Open311Key
	var at string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, created_at FROM open311_keys WHERE key_hash = ?`, tokenHash(key)).Scan(&k.ID, &k.Name, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadKey
	} else if err != nil {
		return nil, internal("open311 key", err)
	}
	k.CreatedAt, err = decodeTime(at)
	return &k, internal("open311 key", err)
}

// CreateOpen311Request files a city app's request in one transaction: it
// opens a case of the service's category for the citizen the reporter is
// (by phone, then email; none otherwise, and the reporter goes in the
// case's note), escalated to the service's desk, each event through
// Case.Apply and each one change, so the desk's desktops have it pushed.
func (db *DB) CreateOpen311Request(ctx context.Context, key *sportello.Open311Key, r sportello.Open311Request) (*sportello.Open311Status, error) {
	token, err := check.NewOpen311Secret()
	if err != nil {
		return nil, err
	}
	var caseID string
	err = db.update(ctx, func(tx *sql.Tx) error {
		svc, err := loadOpen311Service(ctx, tx, r.ServiceCode)
		if sportello.ErrorCode(err) == sportello.ENOTFOUND {
			return sportello.Errorf(sportello.EINVALID, "service_code %s is not a service of this City", check.Clip(r.ServiceCode, 64))
		} else if err != nil {
			return err
		}
		if r, err = check.Open311Request(svc, r); err != nil {
			return err
		}
		if err := deskExists(ctx, tx, svc.DeskID); err != nil {
			return err
		}
		citizenID := ""
		if r.Reporter.Phone != "" {
			if citizenID, err = citizenByNumber(ctx, tx, r.Reporter.Phone); err != nil {
				return err
			}
		}
		if citizenID == "" && r.Reporter.Email != "" {
			if citizenID, err = citizenByEmail(ctx, tx, r.Reporter.Email); err != nil {
				return err
			}
		}
		now := db.Now().UTC()
		c := &sportello.Case{ID: newID(), CitizenID: citizenID}
		events := check.Open311Events(key, svc, r, citizenID != "")
		for _, e := range events {
			e.ID, e.CaseID, e.At = newID(), c.ID, now
			if err := c.Apply(e); err != nil {
				return err
			}
		}
		if err := saveCase(ctx, tx, c, true); err != nil {
			return err
		}
		for i, e := range events {
			if err := insertEvent(ctx, tx, e, i); err != nil {
				return err
			}
			if err := db.appendChange(ctx, tx, now, c, e); err != nil {
				return err
			}
		}
		reporter, _ := json.Marshal(r.Reporter)
		attrs, _ := json.Marshal(r.Attributes)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO open311_requests (case_id, token, service_code, key_id, requested_at, lat, long, address, address_id, description, media_url, reporter, attributes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, token, svc.Code, key.ID, encodeTime(now), r.Lat, r.Long, r.AddressString, r.AddressID, r.Description, r.MediaURL,
			string(reporter), string(attrs)); err != nil {
			return err
		}
		caseID = c.ID
		return nil
	})
	if err != nil {
		return nil, internal("create open311 request", err)
	}
	got, err := db.open311Requests(ctx, db.read, sportello.Open311Filter{IDs: []string{caseID}})
	if err != nil {
		return nil, err
	}
	if len(got) != 1 {
		return nil, fmt.Errorf("create open311 request: case %s not read back", caseID)
	}
	return &got[0], nil
}

// citizenByEmail returns the id of the citizen with an email (in any
// case), or "" when none or several have it.
func citizenByEmail(ctx context.Context, q queryer, email string) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM citizens WHERE lower(email) = ? AND email <> '' LIMIT 2`, strings.ToLower(email))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	if len(ids) != 1 {
		return "", rows.Err()
	}
	return ids[0], rows.Err()
}

// Open311Requests returns the requests f selects, newest first, at most
// f.Limit (check.MaxOpen311Requests when 0).
func (db *DB) Open311Requests(ctx context.Context, f sportello.Open311Filter) ([]sportello.Open311Status, error) {
	return db.open311Requests(ctx, db.read, f)
}

// Open311Token returns the request a token was given for, or ENOTFOUND.
func (db *DB) Open311Token(ctx context.Context, token string) (*sportello.Open311Status, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT case_id FROM open311_requests WHERE token = ?`, token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no request has this token")
	} else if err != nil {
		return nil, internal("open311 token", err)
	}
	got, err := db.open311Requests(ctx, db.read, sportello.Open311Filter{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(got) == 0 {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no request has this token")
	}
	return &got[0], nil
}

func (db *DB) open311Requests(ctx context.Context, q queryer, f sportello.Open311Filter) ([]sportello.Open311Status, error) {
	var where []string
	var args []any
	in := func(col string, vals []string) {
		where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if len(f.IDs) > 0 {
		in("r.case_id", f.IDs)
	} else {
		if len(f.ServiceCodes) > 0 {
			in("r.service_code", f.ServiceCodes)
		}
		if !f.Start.IsZero() {
			where, args = append(where, "r.requested_at >= ?"), append(args, encodeTime(f.Start))
		}
		if !f.End.IsZero() {
			where, args = append(where, "r.requested_at <= ?"), append(args, encodeTime(f.End))
		}
		if st := open311StatusWhere(f.Statuses); st != "" {
			where = append(where, st)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > check.MaxOpen311Requests {
		limit = check.MaxOpen311Requests
	}
	query := `
		SELECT r.case_id, r.token, r.service_code, COALESCE(s.body, ''), c.status, c.updated_at, r.requested_at,
			COALESCE(d.name, ''), r.lat, r.long, r.address, r.address_id, r.description, r.media_url,
			-- status_notes: the newest answer (answer ready, resolved); never a
			-- working or hand-off note, nor a reply, which is addressed to the
			-- citizen by name.
			COALESCE((SELECT e.note FROM case_events e WHERE e.case_id = r.case_id AND e.kind IN ('answer_ready', 'resolved') AND e.note <> ''
				ORDER BY e.position DESC LIMIT 1), '')
		FROM open311_requests r JOIN cases c ON c.id = r.case_id
		LEFT JOIN open311_services s ON s.code = r.service_code
		LEFT JOIN desks d ON d.id = c.desk_id`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY r.requested_at DESC, r.case_id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, internal("open311 requests", err)
	}
	defer rows.Close()
	out := []sportello.Open311Status{}
	services := map[string]*sportello.Open311Service{}
	for rows.Next() {
		var st sportello.Open311Status
		var body, status, updated, requested string
		var lat, long sql.NullFloat64
		if err := rows.Scan(&st.ID, &st.Token, &st.ServiceCode, &body, &status, &updated, &requested, &st.AgencyResponsible,
			&lat, &long, &st.Address, &st.AddressID, &st.Description, &st.MediaURL, &st.StatusNotes); err != nil {
			return nil, internal("open311 requests", err)
		}
		if err := check.Open311Fill(&st, services, body, status); err != nil {
			return nil, internal("open311 requests", err)
		}
		if st.UpdatedAt, err = decodeTime(updated); err != nil {
			return nil, internal("open311 requests", err)
		}
		if st.RequestedAt, err = decodeTime(requested); err != nil {
			return nil, internal("open311 requests", err)
		}
		if lat.Valid && long.Valid {
			st.Lat, st.Long = &lat.Float64, &long.Float64
		}
		out = append(out, st)
	}
	return out, internal("open311 requests", rows.Err())
}

// open311StatusWhere is the condition on cases c for Open311 statuses,
// "" when they select everything.
func open311StatusWhere(statuses []string) string {
	var open, closed bool
	for _, s := range statuses {
		open = open || s == sportello.Open311Open
		closed = closed || s == sportello.Open311Closed
	}
	switch {
	case open && !closed:
		return "c.status <> 'resolved'"
	case closed && !open:
		return "c.status = 'resolved'"
	}
	return ""
}

// seedOpen311 stores the demo city's Open311 services (derived from its
// catalogue and desks) and its demo API key.
func seedOpen311(ctx context.Context, tx *sql.Tx, d *demo.Data, now time.Time) error {
	if err := putOpen311Services(ctx, tx, demo.Open311Services(d.Desks)); err != nil {
		return fmt.Errorf("seed open311 services: %w", err)
	}
	// A store seeded before (a city without citizens) keeps its key.
	if _, err := addOpen311Key(ctx, tx, demo.Open311KeyName, demo.Open311Key, now); err != nil && sportello.ErrorCode(err) != sportello.ECONFLICT {
		return fmt.Errorf("seed open311 key: %w", err)
	}
	return nil
}
