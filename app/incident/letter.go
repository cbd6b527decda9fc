package incident

import (
	"strings"
	"time"

	"casevault/app/human"
)

// The letter to a client about an incident: a plain draft with the
// elements ABA Formal Opinion 483 names (what happened, when, what
// information was involved, what the lawyer is doing about it, what the
// client can do, who to contact), and clearly marked places the lawyer
// fills in. It is a draft to adapt, never sent as it stands: the facts that
// only the lawyer knows are placeholders, not guesses.

// Segment is a piece of a letter: text as written, or (Fill) a place the
// lawyer must fill in, whose Text says what goes there.
type Segment struct {
	Text string `json:"text"`
	Fill bool   `json:"fill,omitempty"`
}

// Paragraph is a paragraph of a letter.
type Paragraph []Segment

// FillMark and FillEnd mark a placeholder in the letter's plain text:
// "[FILL IN: your phone number]".
const (
	FillMark = "[FILL IN: "
	FillEnd  = "]"
)

// String is the paragraph as plain text, placeholders as "[FILL IN: ...]".
func (p Paragraph) String() string {
	var b strings.Builder
	for _, s := range p {
		if s.Fill {
			b.WriteString(FillMark + s.Text + FillEnd)
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// Fills is how many places the paragraph leaves to fill in.
func (p Paragraph) Fills() int {
	n := 0
	for _, s := range p {
		if s.Fill {
			n++
		}
	}
	return n
}

// Letter is the draft to one client.
type Letter struct {
	ClientID int64       `json:"client_id"`
	Client   string      `json:"client"` // the name it is addressed to ("" when the client's file was destroyed)
	Subject  string      `json:"subject"`
	Body     []Paragraph `json:"body"`
}

// Text is the whole letter as plain text.
func (l Letter) Text() string {
	var b strings.Builder
	b.WriteString("Subject: " + l.Subject + "\n\n")
	for i, p := range l.Body {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.String())
	}
	b.WriteString("\n")
	return b.String()
}

// LetterInput is what the app knows for a letter.
type LetterInput struct {
	Kind       Kind
	ClientID   int64
	Client     string    // the client's name; "" when it is not known (a destroyed file)
	HappenedAt time.Time // zero: not known
	Signer     string    // the lawyer's name as it signs notes; "" leaves a place to fill
	Encrypted  bool      // the data involved was in casevault's encrypted vault or backups (laptop, drive)
}

func text(s string) Segment { return Segment{Text: s} }
func fill(s string) Segment { return Segment{Text: s, Fill: true} }

// what happened, in the client's words, by kind
var happened = map[Kind]string{
	LostLaptop: "a laptop I use for my practice was lost or stolen. It held my client files, including information about your matter.",
	LostBackup: "a backup drive holding a copy of my client files, including information about your matter, was lost.",
	BreakIn:    "I found signs that someone may have gained access, without permission, to a computer that holds my client files, including information about your matter.",
	Ransomware: "a computer that holds my client files, including information about your matter, was attacked by malicious software (ransomware or a virus).",
	Disclosure: "information about your matter was sent by mistake to someone who should not have received it.",
}

// what the lawyer did, as a suggestion inside the placeholder, by kind
var doing = map[Kind]string{
	LostLaptop: "what you have done, e.g. reported it to the police, restored the files on a new computer, changed the passphrase and the keys that protect them",
	LostBackup: "what you have done, e.g. reported it to the police, made a new backup, changed the passphrase that protects it",
	BreakIn:    "what you have done, e.g. disconnected the computer, called in a security professional, reported it to the police, changed passwords",
	Ransomware: "what you have done, e.g. disconnected the computer, called in a security professional, restored the files from a backup that was not affected",
	Disclosure: "what you have done, e.g. asked the recipient to delete it and received their written confirmation that they did",
	Other:      "what you have done about it",
}

// NewLetter drafts the letter to one client.
func NewLetter(in LetterInput) Letter {
	l := Letter{ClientID: in.ClientID, Client: in.Client, Subject: "An incident that may affect your information"}
	greet := Paragraph{text("Dear ")}
	if in.Client != "" {
		greet = append(greet, text(in.Client), text(","))
	} else {
		greet = append(greet, fill("the client's name"), text(","))
	}
	l.Body = append(l.Body, greet)

	// What happened and when.
	when := Paragraph{text("I am writing to tell you about an incident that may affect information you entrusted to me. On ")}
	if !in.HappenedAt.IsZero() {
		when = append(when, text(human.Date(in.HappenedAt)))
	} else {
		when = append(when, fill("the date it happened"))
	}
	when = append(when, text(", "))
	if h, ok := happened[in.Kind]; ok {
		when = append(when, text(h))
	} else {
		when = append(when, fill("what happened, in plain words"), text("."))
	}
	when = append(when, text(" I learned of it on "), fill("the date you found out"), text("."))
	l.Body = append(l.Body, when)

	// How it was protected (only where casevault's encryption applies).
	if in.Encrypted {
		l.Body = append(l.Body, Paragraph{
			text("The files were kept encrypted: they cannot be read without my passphrase or recovery key, which "),
			fill("say whether anyone else could know them, e.g. \"were not kept with it and are known to no one else\""),
			text("."),
		})
	}

	// What information was involved.
	l.Body = append(l.Body, Paragraph{
		text("The information involved was "),
		fill("what information about the client was involved, e.g. name, contact details, the documents of the matter"),
		text("."),
	})

	// What the lawyer is doing.
	l.Body = append(l.Body, Paragraph{text("Since then I have "), fill(doing[in.Kind]), text(".")})

	// What the client can do.
	l.Body = append(l.Body, Paragraph{
		text("You do not need to do anything, but please be alert to unexpected messages or calls that mention your matter, and tell me about them. "),
		fill("anything more the client should do, e.g. watch bank statements if financial details were involved, or delete this line"),
	})

	// Who to contact.
	l.Body = append(l.Body, Paragraph{
		text("I am sorry this happened. If you have any questions, please contact me at "),
		fill("your phone number and email address"),
		text("."),
	})

	sign := Paragraph{text("Sincerely,\n")}
	if in.Signer != "" {
		sign = append(sign, text(in.Signer))
	} else {
		sign = append(sign, fill("your name"))
	}
	l.Body = append(l.Body, sign)
	return l
}
