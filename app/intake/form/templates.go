package form

import "slices"

// The built-in questions' keys. The app maps the first group into records
// when a submission is accepted; the rest are shown with the answers.
const (
	KeyFullName         = "full_name"
	KeyOtherNames       = "other_names"
	KeyDateOfBirth      = "date_of_birth"
	KeyAddress          = "address"
	KeyPhone            = "phone"
	KeyEmail            = "email"
	KeyContactMethod    = "contact_method"
	KeySafeToLeaveMsgs  = "safe_to_leave_messages"
	KeyDescription      = "description"
	KeyKeyDates         = "key_dates"
	KeyAdverseParties   = "adverse_parties"
	KeyOtherPeople      = "other_people"
	KeyOpposingCounsel  = "opposing_counsel"
	KeyHeardAbout       = "heard_about"
	KeyIDDocument       = "id_document"
	KeyOtherFiles       = "other_files"
	KeyMaritalStatus    = "marital_status"
	KeyChildren         = "children"
	KeySafety           = "safety_concerns"
	KeyInjuries         = "injuries"
	KeyMedicalTreatment = "medical_treatment"
	KeyInsurance        = "insurance"
	KeyPoliceReport     = "police_report"
	KeyCharges          = "charges"
	KeyInCustody        = "in_custody"
	KeyCourt            = "court"
	KeyCaseNumber       = "case_number"
	KeyEstateHelp       = "estate_help"
	KeyExistingWill     = "existing_will"
	KeyAssets           = "assets"
	KeyJobTitle         = "job_title"
	KeyEmployment       = "employment_status"
	KeyCitizenship      = "citizenship"
	KeyImmigration      = "immigration_status"
	KeyImmigrationHelp  = "immigration_help"
)

// builtinQuestions are the questions every form starts with, in order.
var builtinQuestions = []Question{
	{Key: KeyFullName, Label: "Full legal name", Kind: Short,
		Help: "Your name as it appears on an official document such as a passport."},
	{Key: KeyOtherNames, Label: "Other or former names", Kind: Names,
		Help: "For example a name before marriage or a name you are known by. One name per line."},
	{Key: KeyDateOfBirth, Label: "Date of birth", Kind: Date},
	{Key: KeyAddress, Label: "Home address", Kind: Long},
	{Key: KeyPhone, Label: "Phone number", Kind: Phone},
	{Key: KeyEmail, Label: "E-mail address", Kind: Email},
	{Key: KeyContactMethod, Label: "How should we contact you?", Kind: Choice,
		Choices: []string{"Phone", "E-mail", "Text message", "Post"}},
	{Key: KeySafeToLeaveMsgs, Label: "Is it safe to leave you a message?", Kind: YesNo,
		Help: "For example a voicemail, a text message or a letter that someone else might see or hear."},
	{Key: KeyDescription, Label: "What would you like help with?", Kind: Long,
		Help: "A short description in your own words. You can tell us more when we meet."},
	{Key: KeyKeyDates, Label: "Important dates", Kind: Dates,
		Help: "For example the date of an accident, of a hearing, or of a letter you received."},
	{Key: KeyAdverseParties, Label: "People or organisations on the other side", Kind: Names,
		Help: "For example the other driver, an employer, a former partner or a company. One name per line."},
	{Key: KeyOtherPeople, Label: "Other people involved", Kind: Names,
		Help: "For example witnesses, family members or anyone else we should know about. One name per line."},
	{Key: KeyOpposingCounsel, Label: "The other side's lawyer, if you know", Kind: Names,
		Help: "The lawyer's name or law firm. One per line."},
	{Key: KeyHeardAbout, Label: "How did you hear about us?", Kind: Short},
	{Key: KeyIDDocument, Label: "Photo of an identity document", Kind: Upload,
		Help: "For example a passport or a driving licence. You can also show it to us in person."},
	{Key: KeyOtherFiles, Label: "Other documents", Kind: Upload,
		Help: "For example a letter, a court paper or a contract."},

	// Family
	{Key: KeyMaritalStatus, Label: "Relationship status", Kind: Choice,
		Choices: []string{"Married", "Civil partnership", "Living together", "Separated", "Divorced", "Single", "Other"}},
	{Key: KeyChildren, Label: "Children", Kind: Long,
		Help: "The first names and ages of any children, and who they live with."},
	{Key: KeySafety, Label: "Are you or your children afraid for your safety?", Kind: YesNo,
		Help: "If you are in danger now, call the emergency number."},
	// Personal injury
	{Key: KeyInjuries, Label: "Your injuries", Kind: Long},
	{Key: KeyMedicalTreatment, Label: "Medical treatment so far", Kind: Long,
		Help: "Doctors, hospitals and treatment you have had or are having."},
	{Key: KeyInsurance, Label: "Insurance company and claim number, if known", Kind: Short},
	{Key: KeyPoliceReport, Label: "Was it reported to the police?", Kind: YesNo},
	// Criminal
	{Key: KeyCharges, Label: "What are you charged with or accused of?", Kind: Long},
	{Key: KeyInCustody, Label: "Is the person who needs help in custody now?", Kind: YesNo},
	{Key: KeyCourt, Label: "Which court, if known", Kind: Short},
	{Key: KeyCaseNumber, Label: "Case or reference number, if known", Kind: Short},
	// Estate
	{Key: KeyEstateHelp, Label: "What do you need?", Kind: Choice,
		Choices: []string{"Make or update a will", "Power of attorney", "A trust", "The estate of someone who has died", "Other"}},
	{Key: KeyExistingWill, Label: "Is there already a will?", Kind: YesNo},
	{Key: KeyAssets, Label: "Main property and savings, roughly", Kind: Long,
		Help: "For example a house, savings, a pension or a business. No account numbers, please."},
	// Employment
	{Key: KeyJobTitle, Label: "Your job title", Kind: Short},
	{Key: KeyEmployment, Label: "Are you still working there?", Kind: Choice,
		Choices: []string{"Yes", "No, I was dismissed", "No, I resigned", "Other"}},
	// Immigration
	{Key: KeyCitizenship, Label: "Country or countries of citizenship", Kind: Short},
	{Key: KeyImmigration, Label: "Your current immigration status here", Kind: Short,
		Help: "For example a visa type, a residence permit or none."},
	{Key: KeyImmigrationHelp, Label: "What do you need help with?", Kind: Choice,
		Choices: []string{"A visa", "A residence permit", "Citizenship", "Asylum", "Family members joining you", "An appeal or removal", "Other"}},
}

// builtinKinds fixes the kind of every built-in question: the app reads
// them by kind, so the lawyer may re-word them but not change their kind.
var builtinKinds = func() map[string]Kind {
	m := make(map[string]Kind, len(builtinQuestions))
	for _, q := range builtinQuestions {
		m[q.Key] = q.Kind
	}
	return m
}()

// IsBuiltin reports whether key is one of the built-in questions.
func IsBuiltin(key string) bool { _, ok := builtinKinds[key]; return ok }

// The contact questions every template asks after the name, and the ones
// every template ends with.
var (
	contactQuestions = []string{KeyFullName, KeyOtherNames, KeyDateOfBirth, KeyAddress, KeyPhone, KeyEmail,
		KeyContactMethod, KeySafeToLeaveMsgs}
	closingQuestions = []string{KeyDescription, KeyKeyDates, KeyAdverseParties, KeyOtherPeople,
		KeyOpposingCounsel, KeyHeardAbout, KeyIDDocument, KeyOtherFiles}
)

func areaTemplate(key, label string, middle []string, required ...string) Area {
	qs := slices.Concat(contactQuestions, middle, closingQuestions)
	return Area{Key: key, Label: label, Questions: qs, Required: slices.Concat([]string{KeyFullName}, required)}
}

// DefaultNotice is the privacy notice a new vault starts with. The lawyer
// is expected to replace it with their own.
const DefaultNotice = `Your answers go straight into this law office's encrypted records. ` +
	`Only the lawyer and the staff who work on intake can read them, and nobody can read them back ` +
	`from this form once you press Send.

Sending this form does not make us your lawyer. We will first check that we are free to act for ` +
	`you (for example, that we do not already act for someone on the other side), and we will tell you.

We keep what you send, even if we cannot take your case, because the rules for lawyers require us ` +
	`to remember who asked us for help. Please do not send anything you do not want us to keep.`

// Default returns the starting form: every built-in question, the seven
// practice-area templates (family, personal injury, criminal, estate,
// employment, immigration, general) and the default privacy notice,
// version 1.
func Default() *Config {
	c := &Config{Notice: Notice{Version: 1, Text: DefaultNotice}}
	for _, q := range builtinQuestions {
		q.Builtin = true
		q.Choices = slices.Clone(q.Choices)
		c.Questions = append(c.Questions, q)
	}
	c.Areas = []Area{
		areaTemplate("family", "Family",
			[]string{KeyMaritalStatus, KeyChildren, KeySafety, KeyCourt, KeyCaseNumber},
			KeyPhone, KeyDescription),
		areaTemplate("personal_injury", "Personal injury",
			[]string{KeyInjuries, KeyMedicalTreatment, KeyInsurance, KeyPoliceReport},
			KeyPhone, KeyDescription, KeyKeyDates),
		areaTemplate("criminal", "Criminal",
			[]string{KeyCharges, KeyInCustody, KeyCourt, KeyCaseNumber},
			KeyPhone, KeyCharges),
		areaTemplate("estate", "Wills and estates",
			[]string{KeyEstateHelp, KeyExistingWill, KeyAssets},
			KeyPhone, KeyEstateHelp),
		areaTemplate("employment", "Employment",
			[]string{KeyJobTitle, KeyEmployment},
			KeyPhone, KeyDescription),
		areaTemplate("immigration", "Immigration",
			[]string{KeyCitizenship, KeyImmigration, KeyImmigrationHelp, KeyCaseNumber},
			KeyPhone, KeyImmigrationHelp),
		areaTemplate("general", "Something else", nil, KeyPhone, KeyDescription),
	}
	return c
}
