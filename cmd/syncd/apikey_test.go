package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// TestMain_APIKeyAdd serves the demo city, gives an app a key with
// "apikey add" and files an Open311 request with it; a second key of the
// same name is refused, and the demo's key works too. The config file's
// open311 section sets the jurisdiction.
func TestMain_APIKeyAdd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "syncd.db")
	cfg := filepath.Join(dir, "syncd.json")
	if err := os.WriteFile(cfg, []byte(`{"db": "`+db+`", "demo": true, "open311": {"jurisdiction_id": "esempio.it"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, _ := newMain("")
	srv.Now = func() time.Time { return time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC) }
	run(t, srv, "serve", "--listen", "127.0.0.1:0", "--config", cfg)

	add, out := newMain("")
	run(t, add, "apikey", "add", "App Municipio 3", "--db", db)
	add.Close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `added API key "App Municipio 3"`) || lines[1] != add.APIKey || len(add.APIKey) < 32 {
		t.Fatalf("apikey add said %q (key %q)", out.String(), add.APIKey)
	}

	post := func(key, jurisdiction string) (int, string) {
		t.Helper()
		form := url.Values{"api_key": {key}, "jurisdiction_id": {jurisdiction}, "service_code": {"cie"}, "address_string": {"Via Larga 12"}}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.Server.URL()+"/open311/v2/requests.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body []map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		if len(body) == 0 {
			return resp.StatusCode, ""
		}
		id, _ := body[0]["service_request_id"].(string)
		return resp.StatusCode, id
	}
	if status, id := post(add.APIKey, "esempio.it"); status != http.StatusCreated || id == "" {
		t.Fatalf("request with the new key: %d %q", status, id)
	}
	if status, _ := post(demo.Open311Key, ""); status != http.StatusCreated {
		t.Fatalf("request with the demo key: %d", status)
	}
	if status, _ := post(add.APIKey, "altrove.it"); status != http.StatusNotFound {
		t.Fatalf("request for another jurisdiction: %d", status)
	}
	if status, _ := post(add.APIKey+"x", "esempio.it"); status != http.StatusForbidden {
		t.Fatalf("request with a wrong key: %d", status)
	}

	again, _ := newMain("")
	if err := again.ParseFlags(context.Background(), []string{"apikey", "add", "--db", db, "App Municipio 3"}); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second key of the same name: %v", err)
	}
	for _, args := range [][]string{{"apikey", "add", "--db", db}, {"apikey", "add", "X"}, {"apikey", "remove", "X"}} {
		m, _ := newMain("")
		if err := m.ParseFlags(context.Background(), args); err == nil {
			t.Fatalf("syncd %v accepted", args)
		}
	}
}

// TestMain_Open311Services: the city writes its Open311 mapping, moves a
// service to another desk and adds one, and the endpoint serves the
// change; a file naming an unknown desk changes nothing.
func TestMain_Open311Services(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "syncd.db")
	srv, _ := newMain("")
	run(t, srv, "serve", "--listen", "127.0.0.1:0", "--db", db, "--demo")

	list, out := newMain("")
	run(t, list, "open311", "services", "--db", db)
	list.Close()
	var services []sportello.Open311Service
	if err := json.Unmarshal(out.Bytes(), &services); err != nil || len(services) != 8 {
		t.Fatalf("open311 services wrote %d services, %v: %.200s", len(services), err, out)
	}
	deskOf := map[string]string{}
	for _, s := range services {
		deskOf[s.Code] = s.DeskID
	}
	imu := services[slices.IndexFunc(services, func(s sportello.Open311Service) bool { return s.Code == "imu" })]
	imu.DeskID, imu.Group = deskOf["certificati"], "Anagrafe"
	buche := sportello.Open311Service{Code: "buche", Name: "Buche stradali", Description: "Buche e dissesti", Category: "Strade",
		DeskID: deskOf["scia"], Group: "Commercio"}
	file := filepath.Join(dir, "services.json")
	data, _ := json.Marshal([]sportello.Open311Service{imu, buche})
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	imp, out := newMain("")
	run(t, imp, "open311", "services", "--db", db, "--import", file)
	imp.Close()
	services = nil
	if err := json.Unmarshal(out.Bytes(), &services); err != nil || len(services) != 9 {
		t.Fatalf("after the import: %d services, %v", len(services), err)
	}
	for _, s := range services {
		if s.Code == "imu" && s.DeskID != deskOf["certificati"] {
			t.Fatalf("imu still at %s", s.DeskID)
		}
	}
	resp, err := http.Get(srv.Server.URL() + "/open311/v2/services.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var served []map[string]any
	json.NewDecoder(resp.Body).Decode(&served)
	if !slices.ContainsFunc(served, func(s map[string]any) bool { return s["service_code"] == "buche" }) || len(served) != 9 {
		t.Fatalf("served %+v", served)
	}

	buche.DeskID = "desk-nessuna"
	data, _ = json.Marshal([]sportello.Open311Service{buche})
	os.WriteFile(file, data, 0o600)
	bad, _ := newMain("")
	if err := bad.ParseFlags(context.Background(), []string{"open311", "services", "--db", db, "--import", file}); err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "no desk has id desk-nessuna") {
		t.Fatalf("import with an unknown desk: %v", err)
	}
}
