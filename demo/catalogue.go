package demo

// Desk keys: the second-level desks a service can escalate to.
const (
	deskAnagrafe  = "anagrafe"
	deskTributi   = "tributi"
	deskMulte     = "multe"
	deskCommercio = "commercio"
	deskSociali   = "sociali"
)

// topic is one kind of request with what the people who handle it write.
// An empty note means the path is not taken for this topic.
type topic struct {
	subject    string // opened: the case's subject
	firstCall  string // wrap-up when answered at first contact
	escalation string // wrap-up when escalated to the service's desk
	progress   string // the specialist's working note
	resolution string // the specialist's answer
}

// service is an entry of the service catalogue: a case category, the desk
// it escalates to and the requests it covers.
type service struct {
	category    string
	desk        string // "" when first level answers everything
	business    bool   // businesses call about it
	person      bool   // persons call about it
	appointment string // wrap-up when an appointment is booked, "" if none
	transfer    string // wrap-up when the call is transferred, "" if never
	topics      []topic
}

// catalogue is the small service catalogue the demo cases use.
var catalogue = []service{
	{
		category: "Certificati anagrafici", desk: deskAnagrafe, person: true,
		appointment: "Prenotato appuntamento allo sportello Anagrafe per il rilascio del certificato in bollo.",
		topics: []topic{
			{
				subject:    "Certificato di residenza",
				firstCall:  "Spiegato come scaricare il certificato di residenza dal portale con SPID o CIE; il cittadino procede da solo.",
				escalation: "Serve il certificato storico di residenza dal 1998: richiede una ricerca d'archivio, inoltrata all'Anagrafe.",
				progress:   "Ricerca nei registri cartacei avviata, chiesto al cittadino il vecchio indirizzo.",
				resolution: "Certificato storico predisposto e inviato via PEC; avvisato il cittadino per telefono.",
			},
			{
				subject:    "Certificato di stato di famiglia",
				firstCall:  "Il certificato è scaricabile online in esenzione di bollo per gli usi previsti; inviato il link via email.",
				escalation: "Stato di famiglia non aggiornato dopo il decesso del coniuge: segnalato all'Anagrafe per la verifica.",
				progress:   "Verificata la registrazione dell'atto di morte trasmesso dallo Stato civile.",
				resolution: "Scheda di famiglia aggiornata; il certificato ora è corretto e scaricabile online.",
			},
			{
				subject:    "Certificato di nascita per uso estero",
				firstCall:  "Indicato il modello plurilingue, richiedibile online; nessuna apostille necessaria per i paesi UE.",
				escalation: "Richiesto estratto per riassunto con apostille per paese extra UE: inoltrata all'Anagrafe.",
				progress:   "Estratto pronto, in attesa della legalizzazione in Prefettura.",
				resolution: "Estratto legalizzato disponibile al ritiro; il cittadino ha fissato il ritiro.",
			},
		},
	},
	{
		category: "Carta d'identità elettronica", desk: deskAnagrafe, person: true,
		appointment: "Prenotato appuntamento per la CIE; ricordato di portare fototessera, vecchio documento e tessera sanitaria.",
		topics: []topic{
			{
				subject:    "Prenotazione carta d'identità elettronica",
				firstCall:  "Spiegata la prenotazione sull'Agenda CIE del Ministero; il cittadino ha trovato posto in settimana.",
				escalation: "Documento scaduto e partenza tra pochi giorni: richiesta urgenza all'Anagrafe.",
				progress:   "Valutata l'urgenza con biglietto aereo allegato via email.",
				resolution: "Fissato appuntamento urgente in Anagrafe centrale; il cittadino è stato richiamato.",
			},
			{
				subject:    "Smarrimento carta d'identità",
				firstCall:  "Spiegato che serve la denuncia ai Carabinieri prima di richiedere la nuova CIE.",
				escalation: "CIE mai recapitata dopo la richiesta: inoltrato all'Anagrafe per verificare la spedizione.",
				progress:   "Chiesto al Poligrafico lo stato della spedizione.",
				resolution: "La CIE era in giacenza all'ufficio postale: comunicato al cittadino il numero di raccomandata.",
			},
			{
				subject:   "Rilascio CIE a minore",
				firstCall: "Spiegato che servono entrambi i genitori o l'assenso scritto per la validità all'espatrio.",
			},
		},
	},
	{
		category: "Cambio di residenza", desk: deskAnagrafe, person: true,
		topics: []topic{
			{
				subject:    "Dichiarazione di cambio di residenza",
				firstCall:  "Spiegato l'invio della dichiarazione online tramite ANPR; l'accertamento della Polizia Locale arriva entro 45 giorni.",
				escalation: "Accertamento della Polizia Locale non ancora fatto dopo 50 giorni: segnalato all'Anagrafe.",
				progress:   "Sollecitato il comando di zona per il sopralluogo.",
				resolution: "Accertamento eseguito e residenza confermata; comunicato al cittadino.",
			},
		},
	},
	{
		category: "TARI", desk: deskTributi, person: true, business: true,
		appointment: "Prenotato appuntamento all'Ufficio Tributi per la verifica delle superfici.",
		topics: []topic{
			{
				subject:    "Avviso TARI con importo errato",
				firstCall:  "L'importo comprende la quota della seconda rata non pagata; spiegato come verificarlo nel fascicolo del contribuente.",
				escalation: "Superficie tassata diversa da quella dichiarata: inoltrato all'Ufficio Tributi con la planimetria ricevuta via email.",
				progress:   "Confrontata la dichiarazione del 2019 con i dati catastali.",
				resolution: "Avviso annullato e riemesso con la superficie corretta; il nuovo avviso arriva via PEC.",
			},
			{
				subject:    "Riduzione TARI per unico occupante",
				firstCall:  "Spiegato come presentare la dichiarazione di variazione online; la riduzione vale dall'anno in corso.",
				escalation: "Riduzione richiesta l'anno scorso ma non applicata: inoltrato ai Tributi.",
				progress:   "Trovata la dichiarazione protocollata ma non lavorata.",
				resolution: "Riduzione applicata con rimborso della differenza sull'avviso successivo.",
			},
			{
				subject:    "Rateizzazione TARI",
				firstCall:  "Indicati i requisiti per la rateizzazione e il modulo online.",
				escalation: "Richiesta di rateizzazione oltre le 12 rate per difficoltà economiche: valutazione dei Tributi.",
				progress:   "Chiesto l'ISEE aggiornato al contribuente.",
				resolution: "Concesso piano in 18 rate; inviato il prospetto via email.",
			},
		},
	},
	{
		category: "IMU", desk: deskTributi, person: true, business: true,
		topics: []topic{
			{
				subject:    "Calcolo IMU seconda casa",
				firstCall:  "Indicato il calcolatore IMU del portale e le aliquote deliberate per l'anno.",
				escalation: "Versamento IMU fatto con codice comune errato: inoltrato ai Tributi per la regolazione.",
				progress:   "Avviata la richiesta di riversamento con il comune destinatario.",
				resolution: "Riversamento concluso, nessuna sanzione dovuta; comunicato al contribuente.",
			},
		},
	},
	{
		category: "Multe e sanzioni", desk: deskMulte, person: true, business: true,
		topics: []topic{
			{
				subject:    "Verbale per divieto di sosta",
				firstCall:  "Spiegato il pagamento scontato del 30% entro 5 giorni dalla notifica tramite pagoPA.",
				escalation: "Il cittadino contesta il verbale: auto rubata alla data dell'infrazione. Inoltrato all'Ufficio Verbali con la denuncia.",
				progress:   "Verificata la denuncia di furto; predisposta l'archiviazione in autotutela.",
				resolution: "Verbale archiviato in autotutela; inviata comunicazione al cittadino.",
			},
			{
				subject:    "Ricorso contro verbale ZTL",
				firstCall:  "Indicati i termini del ricorso al Prefetto (60 giorni) e al Giudice di pace (30 giorni).",
				escalation: "Permesso ZTL per disabili valido ma targa non registrata: inoltrato all'Ufficio Verbali.",
				progress:   "Controllata la banca dati dei permessi: targa aggiunta in ritardo.",
				resolution: "Verbali annullati e targa associata al permesso.",
			},
			{
				subject:    "Verbale notificato a veicolo venduto",
				firstCall:  "Spiegato come comunicare i dati del nuovo proprietario con l'atto di vendita.",
				escalation: "Il veicolo risulta venduto prima dell'infrazione: inoltrato per la rinotifica all'acquirente.",
				progress:   "Acquisito l'atto di vendita dal PRA.",
				resolution: "Verbale annullato per il cittadino e rinotificato al nuovo proprietario.",
			},
		},
	},
	{
		category: "Orari e uffici", person: true, business: true,
		transfer: "Trasferita al Municipio competente, che gestisce gli sportelli di zona.",
		topics: []topic{
			{subject: "Orari dell'Anagrafe centrale", firstCall: "Dati orari e indirizzo dell'Anagrafe centrale; ricordato che si accede solo su appuntamento."},
			{subject: "Ufficio oggetti smarriti", firstCall: "Dati orari e indirizzo dell'Ufficio oggetti smarriti e il numero per verificare i ritrovamenti."},
			{subject: "Negozi aperti ad agosto", firstCall: "Indicata la mappa dei negozi aperti in estate pubblicata sul portale, per Municipio."},
			{subject: "Raccolta ingombranti", firstCall: "Dato il numero della società di raccolta rifiuti per prenotare il ritiro gratuito."},
		},
	},
	{
		category: "Commercio - SCIA", desk: deskCommercio, business: true,
		appointment: "Prenotato appuntamento al SUAP per la verifica preliminare della pratica.",
		topics: []topic{
			{
				subject:    "SCIA apertura negozio di vicinato",
				firstCall:  "Spiegato l'invio della SCIA sul portale SUAP con firma digitale; nessun diritto di istruttoria.",
				escalation: "SCIA respinta per allegato mancante senza indicazione di quale: inoltrato al SUAP.",
				progress:   "Individuata la planimetria mancante; contattato il tecnico dell'impresa.",
				resolution: "SCIA integrata e protocollata; comunicato l'esito all'impresa.",
			},
			{
				subject:    "Occupazione suolo pubblico per dehors",
				firstCall:  "Indicati modulo, canone e tempi per la concessione del dehors stagionale.",
				escalation: "Domanda di dehors ferma da oltre 30 giorni: richiesta verifica al Commercio.",
				progress:   "Parere della Polizia Locale ricevuto, manca quello della Mobilità.",
				resolution: "Concessione rilasciata; il titolo è scaricabile dal portale SUAP.",
			},
			{
				subject:    "Orari estivi e chiusura per ferie",
				firstCall:  "Spiegato che la chiusura per ferie va comunicata online entro il 30 giugno.",
				escalation: "Chiusura comunicata ma l'esercizio risulta inadempiente: inoltrato al Commercio.",
				progress:   "Ritrovata la comunicazione inviata all'indirizzo PEC sbagliato.",
				resolution: "Posizione regolarizzata; nessuna sanzione.",
			},
		},
	},
	{
		category: "Servizi sociali", desk: deskSociali, person: true,
		appointment: "Prenotato colloquio con l'assistente sociale del Municipio.",
		transfer:    "Trasferita al Municipio di residenza per il servizio sociale professionale territoriale.",
		topics: []topic{
			{
				subject:    "Contributo per l'affitto",
				firstCall:  "Indicati requisiti ISEE e scadenze del bando per il contributo affitto.",
				escalation: "Domanda presentata ma esclusa senza motivazione: inoltrata ai Servizi sociali.",
				progress:   "Verificata la graduatoria: ISEE non leggibile nell'allegato.",
				resolution: "Domanda riammessa dopo il nuovo invio dell'ISEE; il cittadino è in graduatoria.",
			},
			{
				subject:    "Assistenza domiciliare per un genitore anziano",
				firstCall:  "Spiegati i servizi di assistenza domiciliare e come chiedere la valutazione.",
				escalation: "Situazione urgente di persona anziana sola: segnalata ai Servizi sociali per la presa in carico.",
				progress:   "Fissata la visita domiciliare dell'assistente sociale.",
				resolution: "Attivato il servizio di assistenza domiciliare tre volte a settimana.",
			},
		},
	},
}
