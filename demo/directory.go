package demo

import (
	"fmt"

	"github.com/sportello/sportello"
)

// GroupDesk is the directory group of the second-level desks.
const GroupDesk = "Sportelli di secondo livello"

// directoryDetail is what the transfer directory says of a number besides
// its name: hours in ParseHours' form, when to send callers there, words
// the operator may type.
type directoryDetail struct {
	hours, note string
	keywords    []string
}

// directoryDetails are keyed by number.
var directoryDetails = map[string]directoryDetail{
	numCentralino:   {"lun-ven 8:00-18:00", "Solo per chi cerca un ufficio o un dipendente per nome: le informazioni si danno qui.", []string{"centralino", "dipendente", "interno"}},
	numPolizia:      {"lun-dom 0:00-24:00", "Emergenze di viabilità, incidenti, veicoli in sosta che bloccano un passo carraio. Per i verbali: Ufficio Verbali.", []string{"vigili", "incidente", "rimozione", "passo carraio", "polizia"}},
	numAnagrafe:     {"lun-ven 8:30-15:30", "Pratiche già aperte in back office (cambi di residenza, rettifiche). Non per prenotare: si prenota online.", []string{"anagrafe", "residenza", "certificati", "cie"}},
	numTributi:      {"lun-gio 8:30-12:30, 14:00-16:00; ven 8:30-12:30", "Rimborsi e accertamenti TARI e IMU già notificati; le scadenze le diamo noi.", []string{"tari", "imu", "tasse", "rimborso", "accertamento"}},
	numSUAP:         {"lun,mer,ven 9:00-12:30", "Imprese con una pratica SUAP (SCIA, autorizzazioni) già presentata.", []string{"scia", "commercio", "impresa", "negozio", "autorizzazione"}},
	"+390288461000": {"lun-ven 8:30-12:30", "Servizi del Municipio 1 (Centro storico): anagrafe decentrata, biblioteche di zona, verde di quartiere.", []string{"centro", "zona 1", "municipio"}},
	"+390288463000": {"lun-ven 8:30-12:30; gio 14:30-16:30", "Servizi del Municipio 3 (Città Studi).", []string{"citta studi", "zona 3", "municipio"}},
	"+390288465000": {"lun-ven 8:30-12:30", "Servizi del Municipio 5 (Porta Sud).", []string{"porta sud", "zona 5", "municipio"}},
	"+390288468000": {"lun-ven 8:30-12:30", "Servizi del Municipio 8 (Quartiere Fiera).", []string{"fiera", "zona 8", "municipio"}},
	"+390273900000": {"lun-ven 9:00-13:00", "Inquilini delle case popolari: guasti, canoni, assegnazioni. Le graduatorie sono del Comune.", []string{"casa", "alloggio", "case popolari", "aler", "affitto", "guasto"}},
	"+390289470000": {"lun-sab 8:00-20:00", "Ritiro ingombranti, cassonetti danneggiati, raccolta non effettuata. La tassa (TARI) è dei Tributi.", []string{"rifiuti", "ingombranti", "raccolta", "amsa", "cassonetto"}},
	"+390248600000": {"lun-dom 7:30-19:30", "Abbonamenti, oggetti smarriti sui mezzi, reclami su linee e orari di bus, tram e metro.", []string{"atm", "bus", "tram", "metro", "abbonamento"}},
}

// moreDirectory is the rest of the directory: the other Municipi, offices,
// companies and the second-level desks (desks in deskKeys order). It runs
// after the citizens are drawn so that their ids stay what they were.
func (g *cityGen) moreDirectory(desks []sportello.Desk) []sportello.DirectoryEntry {
	type more struct {
		name, number, group string
		d                   directoryDetail
		desk                string
	}
	list := []more{
		{"Stato civile", "+390288451200", GroupCity, directoryDetail{"lun-ven 8:30-12:00", "Nascite, matrimoni, unioni civili, decessi: pratiche in corso e pubblicazioni.", []string{"matrimonio", "nascita", "decesso", "unione civile"}}, ""},
		{"Polizia Locale - Ufficio Verbali", numVerbali, GroupCity, directoryDetail{"lun-ven 8:30-12:30; mar,gio 14:00-16:00", "Ricorsi e rateizzazioni di verbali già notificati; per pagare basta pagoPA.", []string{"multa", "verbale", "ricorso", "sanzione"}}, ""},
		{"Servizi sociali - Sportello cittadini", numSociali, GroupCity, directoryDetail{"lun-ven 9:00-12:00; mer 14:00-16:30", "Anziani, disabilità, famiglie in difficoltà: primo appuntamento con l'assistente sociale.", []string{"assistenza", "anziani", "disabili", "sociale"}}, ""},
		{"Ufficio oggetti smarriti", numOggetti, GroupCity, directoryDetail{"lun-ven 8:30-16:00", "Oggetti persi in città (non sui mezzi pubblici: Esempio Trasporti).", []string{"smarrito", "perso", "oggetti"}}, ""},
		{"Municipio 2 - Stazione e Greco", "+390288462000", GroupMunicipio, directoryDetail{"lun-ven 8:30-12:30", "Servizi del Municipio 2.", []string{"stazione", "greco", "zona 2", "municipio"}}, ""},
		{"Municipio 4 - Porta Est", "+390288464000", GroupMunicipio, directoryDetail{"lun-ven 8:30-12:30", "Servizi del Municipio 4.", []string{"porta est", "zona 4", "municipio"}}, ""},
		{"Municipio 6 - Navigli", "+390288466000", GroupMunicipio, directoryDetail{"lun-ven 8:30-12:30", "Servizi del Municipio 6.", []string{"navigli", "zona 6", "municipio"}}, ""},
		{"Municipio 7 - San Siro", "+390288467000", GroupMunicipio, directoryDetail{"lun-ven 8:30-12:30", "Servizi del Municipio 7.", []string{"san siro", "zona 7", "municipio"}}, ""},
		{"Municipio 9 - Nord", "+390288469000", GroupMunicipio, directoryDetail{"lun-ven 8:30-12:30", "Servizi del Municipio 9.", []string{"nord", "zona 9", "municipio"}}, ""},
		{"Esempio Acqua - servizio idrico", "+390284770000", GroupCompany, directoryDetail{"lun-dom 0:00-24:00", "Guasti e perdite della rete idrica (pronto intervento sempre attivo), bollette dell'acqua.", []string{"acqua", "perdita", "fognatura", "bolletta"}}, ""},
		{"Esempio Ristorazione - mense scolastiche", "+390288481000", GroupCompany, directoryDetail{"lun-ven 8:30-16:30", "Menu, diete speciali e rette delle mense scolastiche.", []string{"mensa", "scuola", "dieta", "retta"}}, ""},
	}
	deskDetails := map[string]directoryDetail{
		deskAnagrafe:  {"lun-ven 8:30-16:00", "Casi che la prima linea non chiude: residenze contestate, certificati storici, CIE urgenti.", []string{"anagrafe", "residenza", "cie", "certificato"}},
		deskTributi:   {"lun-ven 8:30-16:00", "Rimborsi, rateizzazioni e contestazioni TARI e IMU.", []string{"tari", "imu", "tributi", "rimborso"}},
		deskMulte:     {"lun-ven 8:30-16:00", "Verbali contestati, rateizzazioni, dati del veicolo sbagliati.", []string{"multa", "verbale", "ricorso"}},
		deskCommercio: {"lun-ven 9:00-13:00", "Esercenti con dubbi su SCIA, orari estivi, dehors.", []string{"commercio", "negozio", "scia", "dehors"}},
		deskSociali:   {"lun-ven 9:00-16:00", "Situazioni di fragilità che chiedono subito un'assistente sociale.", []string{"sociale", "fragilita", "assistenza"}},
	}
	for i, k := range deskKeys {
		if i < len(desks) {
			list = append(list, more{"Sportello " + deskNames[k], fmt.Sprintf("+3902884900%02d", i+1), GroupDesk, deskDetails[k], desks[i].ID})
		}
	}
	dir := make([]sportello.DirectoryEntry, 0, len(list))
	for _, m := range list {
		if g.phones[m.number] && m.number != numVerbali && m.number != numSociali && m.number != numOggetti {
			continue // a citizen drew it: never send a caller to a citizen
		}
		g.phones[m.number] = true
		e := sportello.DirectoryEntry{ID: g.id(), Name: m.name, Number: m.number, Group: m.group, DeskID: m.desk}
		detail(&e, m.d)
		dir = append(dir, e)
	}
	return dir
}

// detail fills e's hours, note and keywords.
func detail(e *sportello.DirectoryEntry, d directoryDetail) {
	e.Note, e.Keywords = d.note, d.keywords
	if d.hours == "" {
		return
	}
	h, err := sportello.ParseHours(d.hours)
	if err != nil {
		panic(fmt.Sprintf("demo directory %s: %v", e.Name, err))
	}
	e.HoursText, e.Hours = d.hours, &h
}
