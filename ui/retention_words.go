package ui

import (
	"fmt"
	"strconv"
	"strings"

	"casevault/app/human"
)

// This file: the words of the retention screens (ui/retention*.go) that
// need no vault: what a destruction removes, how long a rule keeps a file,
// the years and months typed for a rule.

// destroyCounts is what a destruction removes, in words: "2 matters, 1
// client file, 6 notes, 4 documents (6 versions, 241.1 KB) and 3 intake
// answers". What is none is left out (but the matters).
func destroyCounts(matters, clients, notes, documents, versions, intake int, bytes int64) string {
	parts := []string{human.Count(matters, "matter", "matters")}
	if clients > 0 {
		parts = append(parts, human.Count(clients, "client file", "client files"))
	}
	return joinAnd(append(parts, contentParts(notes, documents, versions, intake, bytes)...))
}

// contentsWords is what one matter holds: "3 notes and 2 documents (3
// versions, 121 KB)"; "no notes or documents" for none.
func contentsWords(notes, documents, versions, intake int, bytes int64) string {
	parts := contentParts(notes, documents, versions, intake, bytes)
	if len(parts) == 0 {
		return "no notes or documents"
	}
	return joinAnd(parts)
}

func contentParts(notes, documents, versions, intake int, bytes int64) []string {
	var parts []string
	if notes > 0 {
		parts = append(parts, human.Count(notes, "note", "notes"))
	}
	if documents > 0 {
		d := human.Count(documents, "document", "documents")
		var more []string
		if versions > documents {
			more = append(more, human.Count(versions, "version", "versions"))
		}
		if bytes > 0 {
			more = append(more, human.Size(bytes))
		}
		if len(more) > 0 {
			d += " (" + strings.Join(more, ", ") + ")"
		}
		parts = append(parts, d)
	}
	if intake > 0 {
		parts = append(parts, human.Count(intake, "intake answer", "intake answers"))
	}
	return parts
}

// ruleShort is a matter's destroy rule (store: "rule:<area>", "never:<area>",
// "changed") in a few words for a list row.
func ruleShort(rule string) string {
	switch {
	case rule == "":
		return ""
	case rule == "changed":
		return "date set by hand"
	case rule == "rule:" || rule == "never:":
		if strings.HasPrefix(rule, "never:") {
			return "kept for ever (default rule)"
		}
		return "default rule"
	case strings.HasPrefix(rule, "rule:"):
		return oneLine(human.Truncate(strings.TrimPrefix(rule, "rule:"), 40)) + " rule"
	case strings.HasPrefix(rule, "never:"):
		return "kept for ever (" + oneLine(human.Truncate(strings.TrimPrefix(rule, "never:"), 40)) + " rule)"
	}
	return oneLine(human.Truncate(rule, 40))
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// keepForWords is how long a rule keeps a closed matter: "10 years", "7
// years and 6 months", "6 months", "for ever".
func keepForWords(years, months int, never bool) string {
	switch {
	case never:
		return "for ever"
	case years == 0 && months == 0:
		return "no time: due when closed"
	case months == 0:
		return human.Count(years, "year", "years")
	case years == 0:
		return human.Count(months, "month", "months")
	}
	return human.Count(years, "year", "years") + " and " + human.Count(months, "month", "months")
}

// ruleAreaWords names a rule by its practice area; the default rule (no
// area) applies to every matter whose area has no rule of its own.
func ruleAreaWords(area string) string {
	if area == "" {
		return "Every other matter (the default rule)"
	}
	return oneLine(human.Truncate(area, 80))
}

// parseKeepFor reads the years and months typed for a rule: whole numbers,
// 0 to 100 years and 0 to 11 months; an empty field is 0.
func parseKeepFor(years, months string) (y, m int, err error) {
	num := func(what, s string, most int) (int, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > most {
			return 0, fmt.Errorf("%s: “%s” is not a whole number from 0 to %d", what, oneLine(human.Truncate(s, 20)), most)
		}
		return n, nil
	}
	if y, err = num("Years", years, 100); err != nil {
		return 0, 0, err
	}
	if m, err = num("Months", months, 11); err != nil {
		return 0, 0, err
	}
	return y, m, nil
}

// holdingWords says how many backups on one drive still hold a destroyed
// file: "3 backups on drive “KINGSTON” still hold these files".
func holdingWords(n int, volume, target string) string {
	where := "in " + oneLine(human.Truncate(target, 80))
	if volume != "" {
		where = "on drive “" + oneLine(human.Truncate(volume, 40)) + "”"
	}
	verb := "still hold"
	if n == 1 {
		verb = "still holds"
	}
	return fmt.Sprintf("%s %s %s these files", human.Count(n, "backup", "backups"), where, verb)
}

// escapeAll makes lines from the app safe to show (control characters as
// escapes, each cut at 200 characters).
func escapeAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = oneLine(human.Truncate(l, 200))
	}
	return out
}
