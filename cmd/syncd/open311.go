package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sportello/sportello"
)

// CommandOpen311Services writes or replaces the Open311 service mapping
// (service code -> case category -> desk).
const CommandOpen311Services = "open311 services"

// open311Mapping is what "open311 services" needs of the store; both
// stores have it.
type open311Mapping interface {
	Open311Services(ctx context.Context) ([]sportello.Open311Service, error)
	PutOpen311Services(ctx context.Context, services []sportello.Open311Service) error
}

func (m *Main) parseOpen311Services(args []string) error {
	fs := m.newFlagSet("open311 services")
	db := fs.String("db", "", "SQLite database file, or a postgres:// URL")
	file := fs.String("import", "", "JSON file of services to store (a list, as the command writes it); replaces those with the same service_code")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *db == "" {
		return errors.New("syncd open311 services needs --db PATH")
	}
	m.DB, m.Open311ServicesFile = *db, *file
	return nil
}

// open311Services stores the services of Open311ServicesFile, if any,
// then writes the whole mapping to Stdout as JSON.
func (m *Main) open311Services(ctx context.Context) error {
	if err := m.openStore(); err != nil {
		return err
	}
	store, ok := m.Store.(open311Mapping)
	if !ok {
		return errors.New("open311 services: this store keeps no Open311 services")
	}
	if m.Open311ServicesFile != "" {
		data, err := os.ReadFile(m.Open311ServicesFile)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var services []sportello.Open311Service
		if err := dec.Decode(&services); err != nil {
			return fmt.Errorf("%s: %w", m.Open311ServicesFile, err)
		}
		if err := store.PutOpen311Services(ctx, services); err != nil {
			if sportello.ErrorCode(err) != sportello.EINTERNAL {
				return errors.New(sportello.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(m.Stderr, "stored %d Open311 services\n", len(services))
	}
	services, err := store.Open311Services(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(services)
}
