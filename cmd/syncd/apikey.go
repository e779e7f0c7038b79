package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// CommandAPIKeyAdd gives a city app an API key for the Open311 endpoint.
const CommandAPIKeyAdd = "apikey add"

// open311Keys is what "apikey add" needs of the store; both stores have it.
type open311Keys interface {
	AddOpen311Key(ctx context.Context, name, key string) (*sportello.Open311Key, error)
}

// parseAPIKeyAdd reads "apikey add NAME --db PATH" (the name before or
// after the flags).
func (m *Main) parseAPIKeyAdd(args []string) error {
	fs := m.newFlagSet("apikey add")
	db := fs.String("db", "", "SQLite database file, or a postgres:// URL")
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case name == "" && fs.NArg() == 1:
		name = fs.Arg(0)
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if strings.TrimSpace(name) == "" {
		return errors.New(`syncd apikey add needs the app's name: syncd apikey add "App del Comune" --db PATH`)
	}
	if *db == "" {
		return errors.New("syncd apikey add needs --db PATH")
	}
	m.DB, m.APIKeyName = *db, name
	return nil
}

// apiKeyAdd makes a random key, stores its hash under the app's name and
// prints the key: the only time it is shown.
func (m *Main) apiKeyAdd(ctx context.Context) error {
	key, err := check.NewOpen311Secret()
	if err != nil {
		return err
	}
	if err := m.openStore(); err != nil {
		return err
	}
	store, ok := m.Store.(open311Keys)
	if !ok {
		return errors.New("apikey add: this store keeps no API keys")
	}
	k, err := store.AddOpen311Key(ctx, m.APIKeyName, key)
	if err != nil {
		if sportello.ErrorCode(err) != sportello.EINTERNAL {
			return errors.New(sportello.ErrorMessage(err))
		}
		return err
	}
	m.APIKey = key
	fmt.Fprintf(m.Stdout, "added API key %q with id %s; give the app this api_key (it is not shown again):\n%s\n", k.Name, k.ID, key)
	return nil
}
