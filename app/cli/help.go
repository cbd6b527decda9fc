package cli

// The help system: one table of commands (commandTable) gives the
// dispatcher its commands and every help page its words, so the list of
// "casevault help", "casevault help X" and "casevault X --help" can never
// disagree. A command's flags are the flag set its run function parses:
// "X --help" runs it, its parse meets --help before anything else is done,
// and the page is printed from that very flag set (r.flags sets the page
// as its Usage).

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"casevault/app"
)

// command is one row of the table: a command, or a group of subcommands
// (run nil).
type command struct {
	name     string   // the words that call it: "client add"
	section  string   // top-level commands: the part of "casevault help" they are listed in
	summary  string   // one line, no full stop
	usage    []string // the command lines it takes, after "casevault "
	desc     string   // what it does, in paragraphs (blank lines between)
	examples []example
	run      func(r *runner, args []string) error
}

// example is a command line and what it does.
type example struct{ says, line string }

func (c *command) group() bool { return c.run == nil }

// Sections of "casevault help", in order.
const (
	secFiles   = "Client files"
	secCheck   = "Checking and repairing the vault"
	secBackups = "Backups (to a folder on a USB drive; all but backup work without the vault, on a new laptop)"
	secPeople  = "People and permissions (the owner's)"
	secOther   = "Other"
)

var sections = []string{secFiles, secCheck, secBackups, secPeople, secOther}

// commandTable is every command casevault takes. Further rows are added by
// init functions next to the commands they describe (table*.go).
var commandTable []*command

// byName indexes commandTable, built at first use (after every init
// function has added its rows).
var (
	byName     map[string]*command
	byNameOnce sync.Once
)

func lookup(name string) *command {
	byNameOnce.Do(func() {
		byName = make(map[string]*command, len(commandTable))
		for _, c := range commandTable {
			byName[c.name] = c
		}
	})
	return byName[name]
}

// children are the subcommands of a group, in table order.
func children(name string) []*command {
	var out []*command
	for _, c := range commandTable {
		if rest, ok := strings.CutPrefix(c.name, name+" "); ok && !strings.Contains(rest, " ") {
			out = append(out, c)
		}
	}
	return out
}

// subWords are the words of a group's subcommands ("add, list, show").
func subWords(name string) []string {
	var out []string
	for _, c := range children(name) {
		out = append(out, c.name[len(name)+1:])
	}
	return out
}

// resolve finds the command args call: the longest run of words that
// names a command. It returns nil when the first word names none.
func resolve(args []string) (*command, []string) {
	var found *command
	n := 0
	name := ""
	for i, a := range args {
		if i > 0 {
			name += " "
		}
		name += a
		c := lookup(name)
		if c == nil {
			break
		}
		found, n = c, i+1
		if !c.group() && (i+1 >= len(args) || lookup(name+" "+args[i+1]) == nil) { // "backup drives": a command after a command
			break
		}
	}
	if found == nil {
		return nil, args
	}
	return found, args[n:]
}

func isHelpWord(s string) bool {
	return s == "-h" || s == "--help" || s == "-help" || s == "help"
}

// dispatch runs one command line (after the global flags).
func (r *runner) dispatch(args []string) error {
	if len(args) == 0 {
		return usagef("no command")
	}
	switch args[0] {
	case "-h", "--help", "-help":
		return r.help(args[1:])
	case "--version", "-version":
		return r.version(args[1:])
	}
	c, rest := resolve(args)
	if c == nil {
		if strings.HasPrefix(args[0], "-") {
			return usagef("unknown flag %q before the command; only --vault, --user, --key-file, --recovery, --passphrase-stdin and --json may come before it, the others go after it (see \"casevault COMMAND --help\")", args[0])
		}
		return usagef("unknown command %q (\"casevault help\" lists them)", args[0])
	}
	if !c.group() {
		return c.run(r, rest)
	}
	if len(rest) > 0 && isHelpWord(rest[0]) {
		return r.groupPage(c)
	}
	if c.name == "conflicts" && len(rest) > 0 {
		// The old form "casevault conflicts NAME...": a check, when the
		// first word is no subcommand (those were taken above).
		return r.conflictsCheck(rest)
	}
	words := strings.Join(subWords(c.name), ", ")
	if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
		return usagef("%s needs a subcommand: %s (\"casevault help %s\" says what each does)", c.name, words, c.name)
	}
	return usagef("unknown %s subcommand %q (%s; \"casevault help %s\" says what each does)", c.name, rest[0], words, c.name)
}

// help is "casevault help [COMMAND [SUBCOMMAND]]".
func (r *runner) help(args []string) error {
	if len(args) == 0 {
		return r.topPage()
	}
	c, rest := resolve(args)
	if c == nil || len(rest) > 0 && !isHelpWord(rest[0]) {
		what := strings.Join(args, " ")
		if c != nil && c.group() {
			return usagef("there is no command \"casevault %s\"; the %s subcommands are: %s", what, c.name, strings.Join(subWords(c.name), ", "))
		}
		return usagef("there is no command \"casevault %s\" (\"casevault help\" lists them)", what)
	}
	if c.group() {
		return r.groupPage(c)
	}
	// The command itself prints its page: its flag set meets --help.
	err := c.run(r, []string{"--help"})
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func (r *runner) version(args []string) error {
	if len(args) > 0 {
		if isHelpWord(args[0]) {
			return r.help([]string{"version"})
		}
		return usagef("--version takes nothing after it")
	}
	fmt.Fprintln(r.env.Stdout, "casevault", app.Version)
	return nil
}

// topPage is "casevault help": what casevault is, the commands by
// section, the flags every command takes, exit codes.
func (r *runner) topPage() error {
	var b strings.Builder
	b.WriteString(`casevault keeps a lawyer's client files encrypted on this computer.

Usage:
  casevault                      open the window
  casevault [--vault DIR] COMMAND [SUBCOMMAND] [ARGUMENTS] [FLAGS]
  casevault help [COMMAND [SUBCOMMAND]]
  casevault COMMAND [SUBCOMMAND] --help
  casevault --version            print the version
`)
	for _, sec := range sections {
		fmt.Fprintf(&b, "\n%s:\n", sec)
		for _, c := range commandTable {
			if c.section != sec {
				continue
			}
			name := c.name
			if c.group() {
				name += " " + strings.Join(subWords(c.name), "|")
			} else if len(c.usage) > 0 && len(c.usage[0]) <= 60 {
				name = c.usage[0] // "drill --repo DIR [--snapshot ID] [--scratch DIR]"
			}
			writeItem(&b, name, c.summary)
		}
	}
	b.WriteString("\nFlags every command takes (before or after the command):\n")
	fs := r.flags("")
	writeFlags(&b, fs, true)
	b.WriteString(fileFlagsNote)
	b.WriteString(exitCodes)
	b.WriteString("\nRun \"casevault help COMMAND\" (or \"casevault COMMAND --help\") for what a command does, its flags and examples.\n")
	_, err := io.WriteString(r.env.Stdout, b.String())
	return err
}

const fileFlagsNote = `
Client details typed as flags (--name, --notes, --text, names to check...) can be
seen by other users of this computer while the command runs, and stay in the
shell history. For anything confidential, read them from a file instead:
every such flag has a --...-file twin (--name-file, --notes-file, --text-file,
--title-file, --names-file, --query-file...), and - reads standard input, e.g.
  casevault note add --matter 4 --text-file -
(then the passphrase is typed at the terminal, not given with --passphrase-stdin).
`

const exitCodes = `
Exit codes: 0 done, 1 error, 2 wrong usage, 3 wrong passphrase, key file or recovery
key, 4 damaged, 5 in use by another process, 6 refused by your role ("Your role (...)
cannot ...; ask the owner"), 7 you must choose your own passphrase first
(casevault passwd --user NAME).
`

// groupPage is the page of a group of subcommands ("casevault client --help").
func (r *runner) groupPage(c *command) error {
	var b strings.Builder
	fmt.Fprintf(&b, "casevault %s: %s\n", c.name, c.summary)
	b.WriteString("\nUsage:\n")
	for _, s := range children(c.name) {
		for _, u := range s.usage {
			fmt.Fprintf(&b, "  casevault %s\n", u)
		}
	}
	for _, u := range c.usage {
		fmt.Fprintf(&b, "  casevault %s\n", u)
	}
	if c.desc != "" {
		b.WriteString("\n" + wrapText(c.desc, 80) + "\n")
	}
	b.WriteString("\nSubcommands:\n")
	for _, s := range children(c.name) {
		name := s.name[len(c.name)+1:]
		if s.group() {
			name += " " + strings.Join(subWords(s.name), "|")
		}
		writeItem(&b, name, s.summary)
	}
	writeExamples(&b, c.examples)
	fmt.Fprintf(&b, "\nRun \"casevault help %s SUBCOMMAND\" for its flags and examples; \"casevault help\" for the flags every command takes.\n", c.name)
	_, err := io.WriteString(r.env.Stdout, b.String())
	return err
}

// page is the help page of one command, with the flags of fs (the flag set
// its run function parses).
func (r *runner) page(c *command, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "casevault %s: %s\n", c.name, c.summary)
	b.WriteString("\nUsage:\n")
	for _, u := range c.usage {
		fmt.Fprintf(&b, "  casevault %s\n", u)
	}
	if c.desc != "" {
		b.WriteString("\n" + wrapText(c.desc, 80) + "\n")
	}
	var own strings.Builder
	writeFlags(&own, fs, false)
	if own.Len() > 0 {
		b.WriteString("\nFlags:\n" + own.String())
	}
	b.WriteString("\nFlags every command takes (before or after the command):\n")
	writeFlags(&b, fs, true)
	writeExamples(&b, c.examples)
	io.WriteString(r.env.Stdout, b.String())
}

func writeExamples(b *strings.Builder, ex []example) {
	if len(ex) == 0 {
		return
	}
	b.WriteString("\nExamples:\n")
	for i, e := range ex {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "  %s:\n    %s\n", e.says, e.line)
	}
}

// writeItem writes "  name   summary", the summary on the next line when
// the name is long.
func writeItem(b *strings.Builder, name, summary string) {
	const col = 24
	if utf8.RuneCountInString(name) > col-4 {
		fmt.Fprintf(b, "  %s\n%s%s\n", name, strings.Repeat(" ", col), indentWrap(summary, col, 80))
		return
	}
	fmt.Fprintf(b, "  %-*s%s\n", col-2, name, indentWrap(summary, col, 80))
}

// valueNames name the value of flags whose words do not (flag's `NAME`).
var valueNames = map[string]string{
	"vault": "DIR", "repo": "DIR", "to": "NEWDIR", "scratch": "DIR", "key-file": "PATH", "new-key-file": "PATH",
	"user": "NAME", "users": "NAME[,NAME...]", "client": "CLIENT-ID", "matter": "MATTER-ID", "name": "NAME", "alias": "NAME",
	"email": "ADDRESS", "phone": "NUMBER", "dob": "YYYY-MM-DD", "from": "YYYY-MM-DD", "to-day": "YYYY-MM-DD",
	"opened": "YYYY-MM-DD", "closed": "YYYY-MM-DD", "html": "FILE", "csv": "FILE", "snapshot": "ID",
	"title": "TITLE", "practice-area": "AREA", "number": "NUMBER", "role": "ROLE", "record": "KIND:ID", "action": "ACTION",
	"kdf-memory": "MIB", "read-data-subset": "PERCENT", "display-name": "NAME", "organisation": "NAME", "former-name": "NAME",
	"adverse": "NAME", "related": "NAME", "opposing-counsel": "NAME", "decision": "DECISION", "note": "TEXT", "text": "TEXT",
	"notes": "TEXT", "address": "TEXT", "sort": "ORDER", "status": "STATUS", "kind": "KIND", "from-role": "ROLE",
	"document": "TYPE", "checked-by": "NAME", "reason": "TEXT", "out": "FILE", "label": "TEXT", "hint": "TEXT",
	"questions": "KEY[,KEY...]", "required": "KEY[,KEY...]", "areas": "AREA[,AREA...]", "choices": "A,B,...",
}

// flagName is how a flag is shown: --name, --name VALUE.
func flagName(f *flag.Flag) (string, string) {
	name, usage := flag.UnquoteUsage(f)
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		return "--" + f.Name, usage
	}
	if v, ok := valueNames[f.Name]; ok && !strings.Contains(f.Usage, "`") {
		name = v
	}
	switch name {
	case "string", "value", "":
		name = "TEXT"
	case "int", "int64", "uint", "uint64", "float":
		name = "N"
	}
	if _, named := valueNames[f.Name]; strings.HasSuffix(f.Name, "-file") && !named && !strings.Contains(f.Usage, "`") {
		name = "FILE"
	}
	return "--" + f.Name + " " + name, usage
}

// writeFlags writes fs's flags: the command's own (global false) or the
// ones every command takes (global true), each with its words and its
// default when it has one that the words do not already give.
func writeFlags(b *strings.Builder, fs *flag.FlagSet, global bool) {
	var list []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		isGlobal := globalFlagNames[f.Name] && !(fs.Name() == "audit list" && f.Name == "user") // there --user is its own
		if isGlobal == global {
			list = append(list, f)
		}
	})
	sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	const col = 28
	twins := false
	for _, f := range list {
		name, usage := flagName(f)
		if base, ok := strings.CutSuffix(f.Name, "-file"); ok && fs.Lookup(base) != nil && f.Name != "key-file" && f.Name != "new-key-file" {
			continue // said with --base
		}
		if fs.Lookup(f.Name+"-file") != nil && f.Name != "key" && f.Name != "new-key" {
			name += ", --" + f.Name + "-file FILE"
			twins = true
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" && !strings.Contains(usage, "default") {
			usage += " (default: " + d + ")"
		}
		if utf8.RuneCountInString(name) > col-4 {
			fmt.Fprintf(b, "  %s\n%s%s\n", name, strings.Repeat(" ", col), indentWrap(usage, col, 80))
			continue
		}
		fmt.Fprintf(b, "  %-*s%s\n", col-2, name, indentWrap(usage, col, 80))
	}
	if twins {
		b.WriteString("\n" + wrapText(`Each --X-file FILE reads the value of --X from FILE instead (- = standard input; one value a line for
a flag that may be repeated), so that it is not in the process list or the shell history.`, 80) + "\n")
	}
}

// indentWrap wraps s to width, every line after the first indented by
// indent (the first is where the caller left off, at indent).
func indentWrap(s string, indent, width int) string {
	lines := wrapLine(s, width-indent)
	return strings.Join(lines, "\n"+strings.Repeat(" ", indent))
}

// wrapText wraps paragraphs (separated by blank lines) to width; lines
// that start with spaces are kept as they are (command lines, lists).
func wrapText(s string, width int) string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if strings.HasPrefix(para, " ") {
			out = append(out, para)
			continue
		}
		out = append(out, strings.Join(wrapLine(strings.Join(strings.Fields(para), " "), width), "\n"))
	}
	return strings.Join(out, "\n\n")
}

func wrapLine(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
