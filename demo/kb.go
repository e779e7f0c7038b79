package demo

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/sportello/sportello"
)

// officeHours are the demo offices' hours in the form sportello.ParseHours
// reads, beside the portal's prose that Office.Hours keeps.
var officeHours = map[string]string{
	"Anagrafe centrale":                          "lun-ven 8:30-15:30",
	"Anagrafe - sede del Municipio 3":            "lun-ven 8:30-13:30; gio 14:30-16:30",
	"Stato civile":                               "lun-ven 8:30-12:00",
	"Ufficio Tributi":                            "lun-gio 8:30-12:30, 14:00-16:00; ven 8:30-12:30",
	"Polizia Locale - Ufficio Verbali":           "lun-ven 8:30-12:30; mar,gio 14:00-16:00",
	"SUAP - Sportello unico attività produttive": "lun,mer,ven 9:00-12:30",
	"Servizi sociali - Sportello cittadini":      "lun-ven 9:00-12:00; mer 14:00-16:30",
	"Ufficio oggetti smarriti":                   "lun-ven 8:30-16:00",
	"Ufficio Relazioni con il Pubblico":          "lun-ven 8:30-16:30; sab 9:00-12:00",
}

// kbService is a service of the portal as the demo writes it.
type kbService struct {
	title, summary, who, cost, how, office, desk string
	documents, keywords                          []string
}

var kbServices = []kbService{
	{"Carta d'identità elettronica (CIE)", "La CIE si richiede su appuntamento all'Anagrafe: portare foto tessera recente, vecchio documento o denuncia di smarrimento, tessera sanitaria. Pronta in 6 giorni lavorativi, spedita a casa.",
		"Residenti nel Comune", "22,21 euro (27,37 euro per duplicato)", "Prenotazione online sull'agenda ministeriale o al telefono con l'operatore", "Anagrafe centrale", deskAnagrafe,
		[]string{"Foto tessera recente", "Vecchio documento o denuncia", "Tessera sanitaria"}, []string{"documento", "identità", "carta", "rinnovo"}},
	{"Certificato di residenza", "Il certificato di residenza si scarica gratis dal portale con SPID o CIE; in bollo allo sportello Anagrafe (16 euro di marca).",
		"Chiunque, per sé o per altri residenti", "Gratis online; 16 euro di bollo allo sportello", "Online con SPID/CIE o allo sportello", "Anagrafe centrale", deskAnagrafe,
		[]string{"Documento di identità"}, []string{"certificato", "residenza", "anagrafe"}},
	{"Certificato di stato di famiglia", "Lo stato di famiglia si scarica dal portale con SPID o CIE, in esenzione di bollo per gli usi previsti dalla legge.",
		"Residenti", "Gratis online", "Online con SPID/CIE", "Anagrafe centrale", deskAnagrafe,
		[]string{"Documento di identità"}, []string{"famiglia", "certificato"}},
	{"Cambio di residenza", "Il cambio di residenza si dichiara online o allo sportello entro 20 giorni dal trasloco; la Polizia Locale verifica l'indirizzo entro 45 giorni.",
		"Chi si trasferisce nel Comune o cambia indirizzo", "Gratis", "Dichiarazione online o allo sportello Anagrafe", "Anagrafe - sede del Municipio 3", deskAnagrafe,
		[]string{"Documento di identità", "Contratto di affitto o atto di proprietà", "Patente e libretti dei veicoli"}, []string{"trasloco", "indirizzo", "immigrazione"}},
	{"TARI - pagamento della tassa rifiuti", "La TARI si paga in due rate (16 maggio e 2 dicembre) con il modello F24 inviato a casa o scaricabile dal portale tributi.",
		"Chi occupa un immobile", "Secondo superficie e componenti", "F24 in banca, posta o online; avviso sul portale tributi", "Ufficio Tributi", deskTributi,
		[]string{"Avviso di pagamento o codice contribuente"}, []string{"rifiuti", "tassa", "f24", "avviso"}},
	{"TARI - riduzioni e rimborsi", "Riduzione del 20% per compostaggio domestico e del 30% per abitazioni con un solo occupante: domanda all'Ufficio Tributi entro il 31 gennaio.",
		"Contribuenti TARI", "Gratis", "Domanda online o via PEC all'Ufficio Tributi", "Ufficio Tributi", deskTributi,
		[]string{"Modulo di domanda", "Documento di identità"}, []string{"riduzione", "rimborso", "sconto"}},
	{"IMU - imposta municipale", "L'IMU non si paga sull'abitazione principale (salvo categorie di lusso); acconto 16 giugno, saldo 16 dicembre con F24.",
		"Proprietari di immobili diversi dall'abitazione principale", "Aliquote sul portale tributi", "F24 con codice catastale del Comune", "Ufficio Tributi", deskTributi,
		nil, []string{"imposta", "seconda casa", "immobili"}},
	{"Pagamento di una multa", "Il verbale si paga con pagoPA (online, tabaccherie, banche) entro 60 giorni; ridotto del 30% entro 5 giorni dalla notifica.",
		"Chi ha ricevuto un verbale", "Importo del verbale", "pagoPA con il codice avviso stampato sul verbale", "Polizia Locale - Ufficio Verbali", deskMulte,
		[]string{"Verbale con codice avviso pagoPA"}, []string{"multa", "verbale", "pagopa", "sanzione"}},
	{"Ricorso contro una multa", "Il ricorso si presenta al Prefetto entro 60 giorni o al Giudice di pace entro 30 giorni dalla notifica; per l'auto rubata allegare la denuncia.",
		"Chi ha ricevuto un verbale", "Gratis al Prefetto; contributo unificato al Giudice di pace", "Raccomandata o PEC", "Polizia Locale - Ufficio Verbali", deskMulte,
		[]string{"Copia del verbale", "Motivi e prove", "Denuncia di furto se il veicolo era rubato"}, []string{"ricorso", "contestazione", "prefetto"}},
	{"SCIA per aprire un negozio", "Per aprire un negozio di vicinato si presenta la SCIA al SUAP tramite il portale impresainungiorno; l'attività può iniziare subito.",
		"Imprese e commercianti", "Diritti di istruttoria 50 euro", "Portale impresainungiorno con firma digitale", "SUAP - Sportello unico attività produttive", deskCommercio,
		[]string{"Firma digitale", "Planimetria del locale", "Requisiti morali e professionali"}, []string{"negozio", "apertura", "commercio", "attività"}},
	{"Occupazione di suolo pubblico e dehors", "Il dehors richiede la concessione di suolo pubblico: domanda al SUAP almeno 30 giorni prima, con progetto e foto.",
		"Bar e ristoranti", "Canone secondo superficie e zona", "Domanda al SUAP con progetto", "SUAP - Sportello unico attività produttive", deskCommercio,
		[]string{"Progetto del dehors", "Foto dello stato dei luoghi"}, []string{"dehors", "tavolini", "suolo"}},
	{"Assistenza domiciliare anziani", "L'assistenza domiciliare si chiede allo Sportello dei servizi sociali; un assistente sociale fissa un colloquio entro 10 giorni.",
		"Anziani e persone non autosufficienti residenti", "Secondo ISEE", "Colloquio allo sportello o richiesta telefonica", "Servizi sociali - Sportello cittadini", deskSociali,
		[]string{"ISEE in corso di validità", "Documento di identità"}, []string{"anziani", "assistenza", "badante", "sociale"}},
	{"Oggetti smarriti", "Gli oggetti trovati in città restano all'Ufficio oggetti smarriti per un anno; si ritirano con un documento e la descrizione dell'oggetto.",
		"Chiunque", "Gratis", "Di persona allo sportello", "Ufficio oggetti smarriti", "",
		[]string{"Documento di identità", "Descrizione dell'oggetto"}, []string{"smarrito", "perso", "ritrovato"}},
	{"Permesso di accesso alla ZTL", "I residenti nella ZTL chiedono il permesso online; i veicoli dei non residenti entrano pagando il ticket giornaliero.",
		"Residenti e aventi diritto", "Gratis per residenti; ticket 5 euro al giorno", "Richiesta online", "Ufficio Relazioni con il Pubblico", "",
		[]string{"Libretto del veicolo"}, []string{"ztl", "traffico", "auto", "permesso"}},
}

var kbAnswers = []struct{ title, summary string }{
	{"Negozi aperti in agosto", "Dal 1 al 31 agosto l'elenco dei negozi di alimentari e delle farmacie aperti per quartiere è sul portale alla voce 'Estate in città', aggiornato ogni lunedì."},
	{"Scadenze TARI dell'anno", "Prima rata TARI il 16 maggio, seconda rata il 2 dicembre; chi non ha ricevuto l'avviso lo scarica dal portale tributi con SPID."},
	{"Calendario della raccolta differenziata", "Carta il lunedì, plastica e metalli il mercoledì, umido martedì e venerdì; il calendario della propria via è sull'app di Esempio Ambiente."},
	{"Ritiro gratuito di ingombranti", "Esempio Ambiente ritira gratis a domicilio fino a 3 ingombranti al mese su prenotazione al numero verde o sull'app."},
	{"Orari degli uffici comunali a Natale", "Il 24 e il 31 dicembre gli uffici comunali chiudono alle 12:00; il 7 e l'8 dicembre sono chiusi (Sant'Ambrogio e Immacolata)."},
	{"Come prenotare un appuntamento all'Anagrafe", "Gli appuntamenti all'Anagrafe si prenotano online sul portale o al telefono con l'operatore; si può spostare o annullare fino al giorno prima."},
	{"Accesso con SPID o CIE ai servizi online", "Tutti i certificati e i pagamenti online richiedono SPID o CIE con PIN; per attivare SPID serve un documento, la tessera sanitaria, email e cellulare."},
	{"Abbonamenti ai mezzi pubblici per studenti", "Gli studenti sotto i 27 anni hanno l'abbonamento annuale ridotto di Esempio Trasporti; domanda online con l'ISEE."},
}

// knowledgeBase builds the demo knowledge base: one entry per office, the
// services of the catalogue, and free-form answers.
func knowledgeBase(d *Data, now time.Time) []sportello.KBEntry {
	reviewed := now.AddDate(0, -1, 0).Truncate(24 * time.Hour)
	deskID := map[string]string{}
	for i, k := range deskKeys {
		deskID[k] = d.Desks[i].ID
	}
	officeID := map[string]string{}
	var kb []sportello.KBEntry
	for _, o := range d.Offices {
		h, err := sportello.ParseHours(officeHours[o.Name])
		if err != nil {
			panic(fmt.Sprintf("demo office %s: %v", o.Name, err))
		}
		officeID[o.Name] = o.ID
		kb = append(kb, sportello.KBEntry{
			ID: o.ID, Kind: sportello.EntryOffice, Title: o.Name,
			Summary: o.Name + ", " + o.Address + ". Orari: " + o.Hours + ". Telefono " + o.Phone + ".",
			Address: o.Address, Phone: o.Phone, HoursText: o.Hours, Hours: &h, ReviewedAt: reviewed,
		})
	}
	for _, s := range kbServices {
		kb = append(kb, sportello.KBEntry{
			ID: stableID("service:" + s.title), Kind: sportello.EntryService, Title: s.title, Summary: s.summary,
			Who: s.who, Documents: s.documents, Cost: s.cost, HowTo: s.how, OfficeID: officeID[s.office],
			Link: "https://portale.example/servizi/" + stableID(s.title)[:8], Keywords: s.keywords,
			OwnerDesk: deskID[s.desk], ReviewedAt: reviewed,
		})
	}
	for _, a := range kbAnswers {
		kb = append(kb, sportello.KBEntry{ID: stableID("answer:" + a.title), Kind: sportello.EntryAnswer, Title: a.title, Summary: a.summary, ReviewedAt: reviewed})
	}
	return kb
}

// stableID turns a name into a UUID-shaped id that never changes.
func stableID(name string) string {
	h := sha256.Sum256([]byte(name))
	h[6] = h[6]&0x0f | 0x80 // version 8: custom
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
