package demo

// Names are common Italian ones, single words without accents so that the
// codice fiscale can be checked from the displayed name.
var (
	femaleNames = []string{
		"Alessandra", "Alice", "Angela", "Anna", "Antonella", "Arianna", "Barbara",
		"Beatrice", "Camilla", "Carla", "Caterina", "Chiara", "Cristina", "Daniela",
		"Elena", "Eleonora", "Elisa", "Emma", "Federica", "Francesca", "Gabriella",
		"Giorgia", "Giovanna", "Giulia", "Ilaria", "Laura", "Lucia", "Manuela",
		"Marta", "Martina", "Monica", "Nadia", "Paola", "Patrizia", "Raffaella",
		"Rita", "Roberta", "Rosa", "Sara", "Serena", "Silvia", "Simona", "Sofia",
		"Stefania", "Teresa", "Valentina", "Valeria", "Vittoria",
	}
	maleNames = []string{
		"Alberto", "Alessandro", "Andrea", "Angelo", "Antonio", "Bruno", "Carlo",
		"Claudio", "Cristian", "Daniele", "Davide", "Diego", "Edoardo", "Emanuele",
		"Enrico", "Fabio", "Federico", "Filippo", "Francesco", "Franco", "Gabriele",
		"Giacomo", "Gianfranco", "Giorgio", "Giovanni", "Giuseppe", "Lorenzo",
		"Luca", "Luigi", "Marco", "Mario", "Massimo", "Matteo", "Maurizio",
		"Michele", "Nicola", "Paolo", "Pietro", "Riccardo", "Roberto", "Salvatore",
		"Sergio", "Simone", "Stefano", "Tommaso", "Valerio", "Vincenzo", "Walter",
	}
	surnames = []string{
		"Barbieri", "Bassi", "Battaglia", "Bellini", "Benedetti", "Bernardi",
		"Bertolini", "Bianco", "Bruno", "Caruso", "Cattaneo", "Colombo", "Conte",
		"Costa", "D'Amico", "D'Angelo", "De Luca", "Esposito", "Fabbri", "Fontana",
		"Galli", "Gallo", "Gatti", "Gentile", "Giordano", "Grasso", "Greco",
		"Guerra", "Leone", "Lombardi", "Longo", "Mancini", "Mariani", "Marini",
		"Martinelli", "Martini", "Mazza", "Moretti", "Negri", "Orlando", "Palumbo",
		"Pellegrini", "Rinaldi", "Rizzo", "Romano", "Ruggiero", "Russo", "Sala",
		"Santoro", "Sanna", "Serra", "Testa", "Valentini", "Villa", "Vitale",
		"Ferrari", "Ricci", "Marino", "Rota", "Pozzi", "Brambilla", "Ferri",
		"Monti", "Sartori", "Parisi", "Riva", "Fumagalli", "Porta", "Zanetti",
	}
	// birthPlaces are cadastral codes of municipalities; the City's own
	// (F205) comes up most often.
	birthPlaces = []string{
		"F205", "F205", "F205", "F205", "F205", "F205", // Milano
		"H501", // Roma
		"F839", // Napoli
		"L219", // Torino
		"A944", // Bologna
		"G273", // Palermo
		"D612", // Firenze
		"B157", // Brescia
		"A794", // Bergamo
		"D969", // Genova
		"C351", // Catania
		"L682", // Varese
		"F704", // Monza
	}
	streets = []string{
		"Via dei Tigli", "Via delle Magnolie", "Via del Mulino", "Via dei Gelsi",
		"Corso della Repubblica", "Viale delle Rimembranze", "Via dei Navigli",
		"Via della Fontana", "Piazza del Mercato", "Via dei Mille", "Via del Lavoro",
		"Via delle Rose", "Via Torre Vecchia", "Viale dei Platani", "Via San Carlo",
		"Via dei Cedri", "Via della Stazione", "Via Campo Grande", "Via dei Ciclamini",
		"Via della Conca", "Largo dei Pini", "Via del Porto Vecchio", "Via dei Fornai",
	}
	mobilePrefixes = []string{
		"320", "324", "327", "328", "329", "330", "331", "333", "334", "335", "338",
		"339", "340", "342", "345", "347", "348", "349", "350", "351", "366", "370",
		"380", "388", "389", "391", "392", "393",
	}
	mailDomains = []string{"posta.example", "mail.example", "email.example", "webmail.example"}
)

// business is a shop or firm that calls about its own matters.
type business struct {
	name, street, mail string
}

// businesses are the demo firms; their owners' names are fictional too.
var businesses = []business{
	{"Panificio Colombo s.n.c.", "Via dei Fornai", "panificiocolombo"},
	{"Bar Centrale di Fontana Luca", "Piazza del Mercato", "barcentrale"},
	{"Ferramenta Moretti S.r.l.", "Via del Lavoro", "ferramentamoretti"},
	{"Ristorante La Conca S.r.l.", "Via della Conca", "ristoranteconca"},
	{"Farmacia dei Tigli S.a.s.", "Via dei Tigli", "farmaciatigli"},
	{"Edil Esempio Costruzioni S.r.l.", "Via Campo Grande", "edilesempio"},
	{"Libreria Il Gelso di Sala Anna", "Via dei Gelsi", "libreriagelso"},
	{"Gelateria Riva s.n.c.", "Viale dei Platani", "gelateriariva"},
	{"Autofficina Ferri & Figli S.r.l.", "Via della Stazione", "autofficinaferri"},
	{"Ottica Bellini S.r.l.", "Corso della Repubblica", "otticabellini"},
	{"Fiori di Magnolia di Greco Paola", "Via delle Magnolie", "fiorimagnolia"},
	{"Studio Tecnico Galli Associati", "Via San Carlo", "studiotecnico"},
}
