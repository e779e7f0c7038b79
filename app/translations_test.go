package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/sportello/sportello/assets"
)

// TestTranslations checks that every text the UI passes to tr has an Italian
// and an English entry, and that both files have the same keys.
func TestTranslations(t *testing.T) {
	load := func(name string) map[string]string {
		b, err := assets.Translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	it, en := load("it.json"), load("en.json")
	for k := range it {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := it[k]; !ok {
			t.Errorf("it.json lacks %q", k)
		}
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`tr\("((?:[^"\\]|\\.)*)"\)`)
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			n++
			if _, ok := it[string(m[1])]; !ok {
				t.Errorf("%s: no Italian text for %q", f, m[1])
			}
		}
	}
	if n < 30 {
		t.Fatalf("found only %d translated texts: is the pattern right?", n)
	}
}
