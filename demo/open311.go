package demo

import (
	"fmt"
	"strings"

	"github.com/sportello/sportello"
)

// Open311Key is the API key of the demo city's app: seeded with the demo
// data so that the Open311 endpoint can be tried at once (and by tests).
const Open311Key = "demo-open311-citta-di-esempio"

// Open311KeyName names the demo key.
const Open311KeyName = "App Città di Esempio (demo)"

// open311Codes gives each desk-handled category of the catalogue its
// Open311 service code: short, stable, and what city apps send.
var open311Codes = map[string]string{
	"Certificati anagrafici":       "certificati",
	"Carta d'identità elettronica": "cie",
	"Cambio di residenza":          "residenza",
	"TARI":                         "tari",
	"IMU":                          "imu",
	"Multe e sanzioni":             "multe",
	"Commercio - SCIA":             "scia",
	"Servizi sociali":              "sociali",
}

// open311Extra are the questions some services ask besides the topic.
var open311Extra = map[string][]sportello.Open311Attribute{
	"multe": {{Code: "numero_verbale", Datatype: sportello.Open311String, Required: true,
		Description: "Numero del verbale (in alto a destra sull'avviso)", DatatypeDescription: "come stampato, per esempio V/2025/123456"}},
	"tari": {{Code: "codice_contribuente", Datatype: sportello.Open311String,
		Description: "Codice contribuente, se lo conosce"}},
}

// Open311Services derives the Open311 service list from the service
// catalogue: one service per category that a second-level desk handles,
// mapped to the desk of desks with the catalogue's desk name (services of
// desks not in desks are left out). Each service asks for the topic among
// the catalogue's requests; some ask more.
func Open311Services(desks []sportello.Desk) []sportello.Open311Service {
	byName := map[string]string{}
	for _, d := range desks {
		byName[d.Name] = d.ID
	}
	var out []sportello.Open311Service
	for _, s := range catalogue {
		code, deskID := open311Codes[s.category], byName[deskNames[s.desk]]
		if s.desk == "" || code == "" || deskID == "" {
			continue
		}
		topic := sportello.Open311Attribute{Code: "argomento", Datatype: sportello.Open311SingleValueList, Order: 1,
			Description: "Di che cosa si tratta?"}
		var subjects []string
		for i, t := range s.topics {
			topic.Values = append(topic.Values, sportello.Open311Value{Key: fmt.Sprintf("t%d", i+1), Name: t.subject})
			subjects = append(subjects, strings.ToLower(t.subject))
		}
		attrs := []sportello.Open311Attribute{topic}
		for i, a := range open311Extra[code] {
			a.Order = 2 + i
			attrs = append(attrs, a)
		}
		desk := deskNames[s.desk]
		out = append(out, sportello.Open311Service{
			Code:        code,
			Name:        s.category,
			Description: "Richieste allo sportello " + desk + ": " + strings.Join(subjects, "; ") + ".",
			Keywords:    subjects,
			Group:       desk,
			Category:    s.category,
			DeskID:      deskID,
			Notice:      "La richiesta è assegnata allo sportello " + desk + ", che risponde di norma entro due giorni lavorativi.",
			Attributes:  attrs,
		})
	}
	return out
}
