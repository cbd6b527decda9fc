package cli

// The "doc" commands (issue 13): documents kept in the vault with their
// versions. Everything they read or change goes through app/, which checks
// the user's role and the walls and records each in the audit trail; this
// file reads the command line and prints.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"casevault/app"
	"casevault/app/human"
)

// maxDocPage is the most documents doc list shows at once (--limit).
const maxDocPage = 500

// docTargetFlags are --client and --matter (and --all for doc list).
type docTargetFlags struct {
	client, matter *int64
	all            *bool
}

func newDocTargetFlags(fs *flag.FlagSet, verb string, withAll bool) *docTargetFlags {
	tf := &docTargetFlags{
		client: fs.Int64("client", 0, "the client whose documents to "+verb),
		matter: fs.Int64("matter", 0, "the matter whose documents to "+verb),
	}
	if withAll {
		tf.all = fs.Bool("all", false, "every document you may see")
	}
	return tf
}

// target is the one client or matter given (zero with --all).
func (tf *docTargetFlags) target(cmd string) (app.DocTarget, error) {
	n := 0
	alts := "--client CLIENT-ID or --matter MATTER-ID"
	if tf.all != nil {
		alts = "--client CLIENT-ID, --matter MATTER-ID or --all"
		if *tf.all {
			n++
		}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"client", *tf.client}, {"matter", *tf.matter}} {
		if f.v < 0 {
			return app.DocTarget{}, usagef("--%s needs a %s id (a whole number, as shown by \"casevault %s list\"), not %d", f.name, f.name, f.name, f.v)
		}
		if f.v > 0 {
			n++
		}
	}
	switch {
	case n == 0:
		return app.DocTarget{}, usagef("%s needs %s", cmd, alts)
	case n > 1:
		return app.DocTarget{}, usagef("%s takes one of %s, not more", cmd, alts)
	}
	return app.DocTarget{ClientID: *tf.client, MatterID: *tf.matter}, nil
}

// docJSON is a document under --json.
type docJSON struct {
	ID        int64     `json:"id"`
	ClientID  int64     `json:"client_id,omitempty"`
	MatterID  int64     `json:"matter_id,omitempty"`
	Name      string    `json:"name"`
	Folder    string    `json:"folder,omitempty"`
	Type      string    `json:"type"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	Versions  int       `json:"versions"`
	Current   int       `json:"current_version"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"added_by"`
	UpdatedAt time.Time `json:"updated_at"`
	Where     string    `json:"where,omitempty"`
}

func toDocJSON(d app.DocumentInfo) docJSON {
	return docJSON{d.ID, d.ClientID, d.MatterID, d.Name, d.Folder, d.Type, d.MediaType, d.Size, d.Versions, d.Current,
		d.CreatedAt, d.CreatedBy, d.UpdatedAt, d.Where}
}

// versionJSON is a version under --json.
type versionJSON struct {
	DocumentID int64     `json:"document_id"`
	N          int       `json:"version"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	Type       string    `json:"type"`
	MediaType  string    `json:"media_type"`
	At         time.Time `json:"added_at"`
	By         string    `json:"added_by"`
	How        string    `json:"how"`
	Note       string    `json:"note,omitempty"`
	Current    bool      `json:"current"`
}

func toVersionJSON(v app.VersionInfo) versionJSON {
	return versionJSON{v.DocumentID, v.N, v.Size, v.SHA256, v.Type, v.MediaType, v.At, v.By, v.How, v.Note, v.Current}
}

// docName is a document's name as shown, with the folder it was in
// ("Letters/2026/reply.pdf"), escaped for the terminal.
func docName(d app.DocumentInfo) string {
	if d.Folder != "" {
		return cell(d.Folder + "/" + d.Name)
	}
	return cell(d.Name)
}

// docType is a document's type in words ("PDF document"), "-" when unknown.
func docType(t string) string {
	if t == "" {
		return "-"
	}
	return cell(t)
}

// howWords says how a version came to be.
func howWords(v app.VersionInfo) string {
	var s string
	switch v.How {
	case "added":
		s = "added"
	case "new-version":
		s = "added as a new version"
	case "edited":
		s = "edited in its program"
	case "restored":
		s = "restored"
	case "intake":
		s = "from the intake form"
	default:
		s = v.How
	}
	if v.Note != "" {
		if v.How == "restored" {
			return cell(v.Note) // "restored from version 2"
		}
		s += " (" + cell(v.Note) + ")"
	}
	return cell(s)
}

// whereWords names the client or matter documents were added to,
// "matter 2026-0014" or "client Ann Lee", from what the app says of the
// documents ("Matter 2026-0014 — Lee v. Smith", "Client: Ann Lee"): no
// further read, which a role that may add documents but not see the
// matter's details would be refused.
func whereWords(t app.DocTarget, added []app.DocumentInfo) string {
	for _, d := range added {
		if t.MatterID != 0 {
			if rest, ok := strings.CutPrefix(d.Where, "Matter "); ok {
				if n, _, ok := strings.Cut(rest, " — "); ok && n != "" {
					return "matter " + cell(n)
				}
			}
		} else if name, ok := strings.CutPrefix(d.Where, "Client: "); ok && name != "" {
			return "client " + cell(name)
		}
	}
	if t.MatterID != 0 {
		return fmt.Sprintf("matter %d", t.MatterID)
	}
	return fmt.Sprintf("client %d", t.ClientID)
}

// perFile says whether an add failed because of the file itself (the
// others may still be added) rather than the vault, the role or the
// target (which would fail every other file too).
func perFile(err error) bool {
	var fe *app.FieldError
	return errors.Is(err, app.ErrDocTooLarge) || errors.Is(err, app.ErrDocChanged) || errors.Is(err, app.ErrDocUnreadable) ||
		errors.Is(err, app.ErrSameName) || errors.As(err, &fe)
}

// addFailure is one file or folder that was not added, and why.
type addFailure struct {
	Path  string `json:"path"`
	Error string `json:"error"`
	err   error
}

// sameNameWords is the refusal of a file whose name a document there has.
func (r *runner) sameNameWords(path string, err error) string {
	var se *app.SameNameError
	which := ""
	if errors.As(err, &se) && se.Existing.ID != 0 {
		which = fmt.Sprintf(" (document %d, %s)", se.Existing.ID, human.Count(se.Existing.Versions, "version", "versions"))
	}
	return fmt.Sprintf("a document named %s is already there%s: give --new-version to add this file as its newest version, or --keep-both to keep both as separate documents",
		cell(quoteName(baseName(path))), which)
}

// quoteName is a name in typographic quotes.
func quoteName(s string) string { return "“" + s + "”" }

// baseName is the last element of a path as given.
func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// stderrTerminal: standard error is a terminal, where progress is shown.
func (r *runner) stderrTerminal() bool {
	if r.env.progress {
		return true
	}
	f, ok := r.env.Stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// docProgress shows how far the add of one file or folder is, on one
// line of standard error rewritten in place, at most ten times a second.
type docProgress struct {
	mu    sync.Mutex
	w     io.Writer
	fd    int // the terminal's, for its width; -1 unknown
	what  string
	drawn time.Time
	shown int // runes on the screen now
}

func (r *runner) newDocProgress(what string) *docProgress {
	p := &docProgress{w: r.env.Stderr, fd: -1, what: what}
	if f, ok := r.env.Stderr.(*os.File); ok {
		p.fd = int(f.Fd())
	}
	return p
}

func (p *docProgress) update(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn = now
	line := fmt.Sprintf("Adding %s: %s", p.what, human.Size(done))
	if total > 0 {
		line += fmt.Sprintf(" of %s (%d%%)", human.Size(total), done*100/total)
	}
	if p.fd >= 0 {
		if w, _, err := term.GetSize(p.fd); err == nil && w > 1 && utf8.RuneCountInString(line) >= w {
			line = string([]rune(line)[:w-1])
		}
	}
	n := utf8.RuneCountInString(line)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", max(0, p.shown-n)))
	p.shown = n
}

// clear blanks the line once the file is done.
func (p *docProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.shown)+"\r")
		p.shown = 0
	}
}

func (r *runner) docAdd(args []string) error {
	fs := r.flags("doc add")
	tf := newDocTargetFlags(fs, "add to", false)
	newVersion := fs.Bool("new-version", false, "a file named as a document already there becomes that document's newest version")
	keepBoth := fs.Bool("keep-both", false, "a file named as a document already there is added beside it, as another document")
	folderAs := fs.String("folder-as", "", "file what is added under this folder `PATH`, e.g. \"Correspondence/2026\" (default: at the top)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	t, err := tf.target("doc add")
	if err != nil {
		return err
	}
	if *newVersion && *keepBoth {
		return usagef("give --new-version or --keep-both, not both")
	}
	if len(pos) == 0 {
		return usagef("doc add needs the files or folders to add, e.g. casevault doc add --matter 4 letter.pdf")
	}
	if r.dry {
		return errDryRun
	}
	// Every path is looked at before the passphrase: a mistyped name
	// adds nothing.
	infos := make([]os.FileInfo, len(pos))
	var missing []string
	for i, p := range pos {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing = append(missing, cell(p)+": there is no such file or folder")
		case err != nil:
			missing = append(missing, cell(p)+": "+cell(pathErr(err)))
		case !fi.Mode().IsRegular() && !fi.IsDir():
			missing = append(missing, cell(p)+": not a plain file or a folder")
		}
		infos[i] = fi
	}
	if len(missing) > 0 {
		return &saidError{"nothing was added:\n  " + strings.Join(missing, "\n  "), app.ErrInvalid}
	}
	same := app.SameNameAsk
	switch {
	case *newVersion:
		same = app.SameNameNewVersion
	case *keepBoth:
		same = app.SameNameKeepBoth
	}
	showProgress := r.stderrTerminal() && !r.json
	return r.open(func(s *app.Session) error {
		var (
			added    []app.DocumentInfo
			versions []bool // added[i] is a new version of a document already there
			skipped  []app.SkippedFile
			failed   []addFailure
			stop     error // a failure every further file would meet too
			notTried []string
		)
		for i, p := range pos {
			if stop != nil {
				notTried = append(notTried, p)
				continue
			}
			var prog *docProgress
			o := app.AddDocOptions{Folder: *folderAs, SameName: same}
			if showProgress {
				prog = r.newDocProgress(cell(baseName(p)))
				o.Progress = prog.update
			}
			if infos[i].IsDir() {
				res, err := s.AddFolder(r.ctx, t, p, o)
				if prog != nil {
					prog.clear()
				}
				if res != nil {
					for _, d := range res.Added {
						added = append(added, d)
						versions = append(versions, same == app.SameNameNewVersion && d.Current > 1)
					}
					skipped = append(skipped, res.Skipped...)
				}
				if err != nil {
					failed = append(failed, addFailure{p, message(err, "", r.vault), err})
					if !perFile(err) {
						stop = err
					}
				}
				continue
			}
			d, err := s.AddDocument(r.ctx, t, p, o)
			if prog != nil {
				prog.clear()
			}
			if err != nil {
				msg := message(err, "", r.vault)
				switch {
				case errors.Is(err, app.ErrSameName):
					msg = r.sameNameWords(p, err)
				case errors.Is(err, app.ErrDocTooLarge):
					msg = strings.TrimSuffix(msg, ".") + "; on the command line: casevault doc limit SIZE" + r.vaultFlag()
				}
				failed = append(failed, addFailure{p, msg, err})
				if !perFile(err) {
					stop = err
				}
				continue
			}
			added = append(added, *d)
			versions = append(versions, same == app.SameNameNewVersion && d.Current > 1)
		}
		var where string
		if len(added) > 0 {
			where = whereWords(t, added)
		}
		// One file, refused: the refusal alone, as any other command's.
		if len(pos) == 1 && len(added) == 0 && len(skipped) == 0 && len(failed) == 1 && !r.json {
			f := failed[0]
			return &saidError{strings.TrimSuffix(f.Error, ".") + ". Nothing was added.", f.err}
		}
		js := struct {
			Added    []docJSON         `json:"added"`
			Skipped  []app.SkippedFile `json:"skipped,omitempty"`
			Failed   []addFailure      `json:"failed,omitempty"`
			NotTried []string          `json:"not_tried,omitempty"`
		}{Added: []docJSON{}, Skipped: skipped, Failed: failed, NotTried: notTried}
		var bytes int64
		docs, vers := 0, 0
		for i, d := range added {
			js.Added = append(js.Added, toDocJSON(d))
			bytes += d.Size
			if versions[i] {
				vers++
			} else {
				docs++
			}
		}
		err := r.out(js, func(w io.Writer) {
			for i, d := range added {
				if versions[i] {
					fmt.Fprintf(w, "Document %d: %s, version %d added (%s)\n", d.ID, docName(d), d.Current, human.Size(d.Size))
				} else {
					fmt.Fprintf(w, "Document %d added: %s (%s, %s)\n", d.ID, docName(d), docType(d.Type), human.Size(d.Size))
				}
			}
			if len(skipped) > 0 {
				fmt.Fprintf(w, "%s not added:\n", human.Count(len(skipped), "file was", "files were"))
				same := false
				for _, k := range skipped {
					fmt.Fprintf(w, "  %s: %s\n", cell(k.Path), cell(k.Reason))
					same = same || strings.Contains(k.Reason, "already has a document named")
				}
				if same {
					fmt.Fprintln(w, "To add a file whose name is already there, add it again with --new-version (it becomes that document's newest version) or --keep-both.")
				}
			}
			var parts []string
			if docs > 0 {
				parts = append(parts, human.Count(docs, "document", "documents"))
			}
			if vers > 0 {
				parts = append(parts, human.Count(vers, "new version", "new versions"))
			}
			if len(parts) > 0 {
				fmt.Fprintf(w, "Added %s (%s) to %s.\n", strings.Join(parts, " and "), human.Size(bytes), where)
			} else {
				fmt.Fprintln(w, "Nothing was added.")
			}
		})
		if err != nil {
			return err
		}
		if len(failed) == 0 {
			return nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s not added:", human.Count(len(failed)+len(notTried), "file or folder was", "files or folders were"))
		for _, f := range failed {
			fmt.Fprintf(&b, "\n  %s: %s", cell(f.Path), strings.ReplaceAll(f.Error, "\n", "\n    "))
		}
		for _, p := range notTried {
			fmt.Fprintf(&b, "\n  %s: not tried, after the failure above", cell(p))
		}
		if len(added) > 0 {
			b.WriteString("\nThe others were added.")
		}
		first := failed[0].err
		if stop != nil {
			first = stop
		}
		return &saidError{b.String(), first}
	})
}

// pathErr is an error about a path without the path (said before it).
func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (r *runner) docList(args []string) error {
	fs := r.flags("doc list")
	tf := newDocTargetFlags(fs, "list", true)
	name := fs.String("name", "", "only the documents whose name holds this text, in any case")
	limit := fs.Int("limit", 100, fmt.Sprintf("most documents to show (at most %s)", human.Number(maxDocPage)))
	page := fs.Int("page", 1, "which page of --limit documents to show: 2 for the next ones")
	ff := newFileFlags(fs)
	ff.add("name", "the text of the name", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("doc list takes no arguments, not %q (the client or matter is --client ID or --matter ID)", pos[0])
	}
	t, err := tf.target("doc list")
	if err != nil {
		return err
	}
	if *limit < 1 || *limit > maxDocPage {
		return usagef("--limit is a number from 1 to %s, not %d", human.Number(maxDocPage), *limit)
	}
	if *page < 1 {
		return usagef("--page is a number from 1 up, not %d", *page)
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if v, ok := files["name"]; ok {
		*name = v
	}
	offset := (*page - 1) * *limit
	return r.open(func(s *app.Session) error {
		list, total, err := s.ListDocuments(r.ctx, t, app.DocFilter{Name: *name, Offset: offset, Limit: *limit})
		if err != nil {
			return err
		}
		js := struct {
			Total     int       `json:"total"`
			Offset    int       `json:"offset"`
			Documents []docJSON `json:"documents"`
		}{total, offset, []docJSON{}}
		for _, d := range list {
			js.Documents = append(js.Documents, toDocJSON(d))
		}
		all := t.ClientID == 0 && t.MatterID == 0
		return r.out(js, func(w io.Writer) {
			if len(list) == 0 {
				switch {
				case total > 0:
					fmt.Fprintf(w, "There are only %s: page %d is empty.\n", human.Count(total, "document", "documents"), *page)
				case *name != "":
					fmt.Fprintf(w, "No documents with a name holding %s.\n", quoteName(cell(*name)))
				case all:
					fmt.Fprintln(w, "No documents yet.")
				default:
					fmt.Fprintf(w, "No documents yet. Add some with: casevault doc add %s FILE...%s\n", docTargetFlag(t), r.vaultFlag())
				}
				return
			}
			head := "ID\tNAME\tTYPE\tSIZE\tVERSIONS\tUPDATED\tADDED BY"
			if all {
				head += "\tWHERE"
			}
			fmt.Fprintln(w, head)
			for _, d := range list {
				line := fmt.Sprintf("%d\t%s\t%s\t%s\t%d\t%s\t%s", d.ID, docName(d), docType(d.Type), human.Size(d.Size), d.Versions,
					human.Time(d.UpdatedAt), cell(d.CreatedBy))
				if all {
					line += "\t" + cell(d.Where)
				}
				fmt.Fprintln(w, line)
			}
			if rest := total - offset - len(list); rest > 0 {
				fmt.Fprintf(w, "\n%s not shown: see them with --page %d.\n", human.Count(rest, "more document", "more documents"), *page+1)
			}
		})
	})
}

// docTargetFlag is the flag that names t: "--matter 4".
func docTargetFlag(t app.DocTarget) string {
	if t.MatterID != 0 {
		return fmt.Sprintf("--matter %d", t.MatterID)
	}
	return fmt.Sprintf("--client %d", t.ClientID)
}

func (r *runner) docShow(args []string) error {
	fs := r.flags("doc show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("document", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		d, err := s.GetDocument(r.ctx, id)
		if err != nil {
			return err
		}
		vs, err := s.DocumentVersions(r.ctx, id)
		if err != nil {
			return err
		}
		js := struct {
			docJSON
			History []versionJSON `json:"history"`
		}{toDocJSON(*d), []versionJSON{}}
		for _, v := range vs {
			js.History = append(js.History, toVersionJSON(v))
		}
		return r.out(js, func(w io.Writer) {
			fmt.Fprintf(w, "Document %d\t%s\n", d.ID, cell(d.Name))
			if d.Folder != "" {
				fmt.Fprintf(w, "In the folder\t%s\n", cell(d.Folder))
			}
			fmt.Fprintf(w, "Kept with\t%s\n", cell(d.Where))
			fmt.Fprintf(w, "Type\t%s\n", docType(d.Type))
			fmt.Fprintf(w, "Size\t%s\n", human.Size(d.Size))
			fmt.Fprintf(w, "Added\t%s by %s\n", human.Time(d.CreatedAt), cell(d.CreatedBy))
			fmt.Fprintf(w, "Changed\t%s\n", human.Time(d.UpdatedAt))
			fmt.Fprintf(w, "Versions\t%d (the current one is version %d)\n", d.Versions, d.Current)
			fmt.Fprintln(w)
			r.versionTable(w, vs)
		})
	})
}

// versionTable prints a document's versions.
func (r *runner) versionTable(w io.Writer, vs []app.VersionInfo) {
	fmt.Fprintln(w, "VERSION\tADDED\tBY\tSIZE\tTYPE\tHOW")
	for _, v := range vs {
		n := strconv.Itoa(v.N)
		if v.Current {
			n += " (current)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", n, human.Time(v.At), cell(v.By), human.Size(v.Size), docType(v.Type), howWords(v))
	}
}

func (r *runner) docVersions(args []string) error {
	fs := r.flags("doc versions")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("document", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		vs, err := s.DocumentVersions(r.ctx, id)
		if err != nil {
			return err
		}
		js := []versionJSON{}
		for _, v := range vs {
			js = append(js, toVersionJSON(v))
		}
		return r.out(js, func(w io.Writer) {
			r.versionTable(w, vs)
			fmt.Fprintf(w, "\nOpen one: casevault doc open %d --version N%s\n", id, r.vaultFlag())
		})
	})
}

// versionArg is the version number N of a command line.
func versionArg(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, usagef("%q is not a version number (1, 2, ... as \"casevault doc versions\" lists them)", s)
	}
	return n, nil
}

func (r *runner) docRestore(args []string) error {
	fs := r.flags("doc restore-version")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("give the document's number and the version to restore, e.g. casevault doc restore-version 31 2")
	}
	id, err := parseID("document", pos[0])
	if err != nil {
		return err
	}
	n, err := versionArg(pos[1])
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		v, err := s.RestoreVersion(r.ctx, id, n)
		if err != nil {
			return err
		}
		return r.out(toVersionJSON(*v), func(w io.Writer) {
			fmt.Fprintf(w, "Document %d: version %d restored as version %d, the current one (%s). Every earlier version is kept.\n",
				id, n, v.N, human.Size(v.Size))
		})
	})
}

func (r *runner) docExport(args []string) error {
	fs := r.flags("doc export")
	client := fs.Int64("client", 0, "export the client's whole file: their documents and their matters' documents")
	matter := fs.Int64("matter", 0, "export the matter's documents")
	to := fs.String("to", "", "the `FOLDER` to export into: a new folder is made in it for the documents")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var sel app.ExportSelection
	for _, p := range pos {
		id, err := parseID("document", p)
		if err != nil {
			return err
		}
		sel.DocumentIDs = append(sel.DocumentIDs, id)
	}
	n := 0
	for _, x := range []bool{len(sel.DocumentIDs) > 0, *client != 0, *matter != 0} {
		if x {
			n++
		}
	}
	if n != 1 {
		return usagef("doc export takes document numbers, --matter MATTER-ID or --client CLIENT-ID: one of them")
	}
	if *client < 0 || *matter < 0 {
		return usagef("--client and --matter need an id, a whole number as the list commands show")
	}
	sel.ClientID, sel.MatterID = *client, *matter
	if strings.TrimSpace(*to) == "" {
		return usagef("doc export needs --to FOLDER, where to write the documents")
	}
	if r.dry {
		return errDryRun
	}
	if fi, err := os.Stat(*to); err != nil || !fi.IsDir() {
		return usagef("--to %s: there is no such folder; create it first, or give one that exists (a new folder is made in it for the documents)", quoteArg(*to))
	}
	return r.open(func(s *app.Session) error {
		res, err := s.ExportDocuments(r.ctx, sel, *to)
		if err != nil {
			return err
		}
		return r.out(struct {
			Folder string `json:"folder"`
			Files  int    `json:"files"`
			Bytes  int64  `json:"bytes"`
		}{res.Folder, res.Files, res.Bytes}, func(w io.Writer) {
			fmt.Fprintf(w, "Exported %s (%s) to %s.\nThey are not encrypted there: keep them safe, and delete them once handed over.\n",
				human.Count(res.Files, "document", "documents"), human.Size(res.Bytes), cell(res.Folder))
		})
	})
}

func (r *runner) docDelete(args []string) error {
	fs := r.flags("doc delete")
	yes := fs.Bool("yes", false, "delete without asking first")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("document", pos)
	if err != nil {
		return err
	}
	ask := !*yes
	if r.dry {
		return errDryRun // the example is typed at a terminal
	}
	if ask && !r.isTerminal() {
		return usagef("doc delete removes the document and all its versions; there is no terminal to ask at, so confirm with --yes")
	}
	return r.open(func(s *app.Session) error {
		if ask {
			d, err := s.GetDocument(r.ctx, id)
			if err != nil {
				return err
			}
			if err := r.confirmDelete(fmt.Sprintf("Delete document %d, %s (%s)?", id, docName(*d), human.Count(d.Versions, "version", "versions"))); err != nil {
				return err
			}
		}
		if err := s.DeleteDocument(r.ctx, id); err != nil {
			return err
		}
		return r.done(changed{Kind: "document", ID: id, Change: "deleted"},
			fmt.Sprintf("Document %d deleted, with all its versions. Backups made before keep it until they are deleted.", id))
	})
}
