package cli

// The commands on what the vault knows of its backups (issue 14): which
// snapshots still hold destroyed client files (backup holding), removing
// them from a drive (backup forget-destroyed), and the drives the vault
// has backed up to, with who could open them and which clients were on one
// (backup drives). They need the vault: the records are in it.

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"casevault/app"
	"casevault/app/human"
)

type heldJSON struct {
	Repo         string   `json:"repo_id"`
	Folder       string   `json:"folder"`
	Drive        string   `json:"drive"`
	Snapshot     string   `json:"snapshot"`
	Time         string   `json:"time"`
	PluggedIn    bool     `json:"plugged_in"`
	Destructions []string `json:"destructions"`
}

func toHeldJSON(list []app.HeldSnapshot) []heldJSON {
	out := []heldJSON{}
	for _, h := range list {
		out = append(out, heldJSON{Repo: h.RepoID, Folder: h.Target, Drive: h.Volume, Snapshot: h.SnapshotID,
			Time: h.At.UTC().Format(jsonTime), PluggedIn: h.Present, Destructions: append([]string{}, h.Numbers...)})
	}
	return out
}

// writeHeld lists held snapshots: the drive, the snapshot, when, plugged in.
func writeHeld(w io.Writer, list []app.HeldSnapshot) {
	fmt.Fprintln(w, "DRIVE\tFOLDER\tSNAPSHOT\tMADE\tPLUGGED IN\tHOLDS")
	for _, h := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(driveName(h.Volume)), cell(h.Target), cell(h.Short), human.Time(h.At),
			yesNo(h.Present), cell(strings.Join(h.Numbers, ", ")))
	}
}

func driveName(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(unknown drive)"
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (r *runner) backupHolding(args []string) error {
	fs := r.flags("backup holding")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("backup holding takes at most one destruction number (like D-2026-0001), not %d words", len(pos))
	}
	number := ""
	if len(pos) == 1 {
		number = pos[0]
	}
	return r.open(func(s *app.Session) error {
		list, err := s.SnapshotsHolding(r.ctx, number)
		if err != nil {
			return err
		}
		return r.out(toHeldJSON(list), func(w io.Writer) {
			what := "a destroyed client file"
			if number != "" {
				what = strings.ToUpper(strings.TrimSpace(number))
			}
			if len(list) == 0 {
				fmt.Fprintf(w, "No backup the vault knows of still holds %s.\n", cell(what))
				return
			}
			fmt.Fprintf(w, "%s still %s %s:\n\n", human.Capitalize(human.Count(len(list), "snapshot", "snapshots")),
				human.Noun(len(list), "holds", "hold"), cell(what))
			writeHeld(w, list)
			fmt.Fprintln(w)
			which := "NUMBER"
			if number != "" {
				which = what
			}
			fmt.Fprintf(w, "To remove them from a drive, plug it in and run:\n  casevault backup forget-destroyed %s --repo FOLDER%s\n"+
				"Each drive needs a backup made after the destruction first (casevault backup --repo FOLDER).\n", cell(which), cell(r.vaultFlag()))
		})
	})
}

func (r *runner) backupForgetDestroyed(args []string) error {
	fs := r.flags("backup forget-destroyed")
	fs.StringVar(&r.repo, "repo", "", "the backup folder (default: the one the vault backs up to)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("backup forget-destroyed needs one destruction number (like D-2026-0001; see \"casevault retention register\")")
	}
	number := pos[0]
	if r.dry {
		return errDryRun
	}
	if strings.TrimSpace(r.repo) == "" {
		if set := app.LoadBackupSettings(r.vault); set.Target != "" {
			r.repo = set.Target
		} else {
			return usagef("backup forget-destroyed needs --repo DIR: the vault has no backup folder of its own yet")
		}
	}
	abs, err := filepath.Abs(r.repo)
	if err != nil {
		return err
	}
	r.repo = abs
	if err := r.repoThere(); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		b, err := s.OpenBackups(r.ctx, r.repo)
		if err != nil {
			return err
		}
		defer b.Close()
		res, err := b.ForgetDestroyed(r.ctx, number)
		if res == nil {
			return err
		}
		js := struct {
			Destruction string     `json:"destruction"`
			Repo        string     `json:"repo"`
			Removed     []string   `json:"removed"`
			FreedBytes  int64      `json:"freed_bytes"`
			LeftBytes   int64      `json:"left_bytes"`
			Elsewhere   []heldJSON `json:"elsewhere_holding"`
		}{res.Number, r.repo, append([]string{}, res.Removed...), 0, res.Left.Bytes, toHeldJSON(res.ElsewhereHolding)}
		if res.Prune != nil {
			js.FreedBytes = res.Prune.BytesFreed
		}
		if oerr := r.out(js, func(w io.Writer) {
			if len(res.Removed) == 0 {
				fmt.Fprintf(w, "No snapshot in %s holds %s any more.\n", cell(r.repo), cell(res.Number))
			} else {
				short := make([]string, len(res.Removed))
				for i, id := range res.Removed {
					short[i] = id[:min(8, len(id))]
				}
				fmt.Fprintf(w, "Removed %s that held %s from %s: %s.\n", human.Count(len(res.Removed), "snapshot", "snapshots"),
					cell(res.Number), cell(r.repo), cell(strings.Join(short, ", ")))
			}
			if res.Prune != nil {
				fmt.Fprintf(w, "Freed %s on the drive.\n", human.Size(res.Prune.BytesFreed))
			}
			if res.Left.Zero() && err == nil {
				fmt.Fprintln(w, "Nothing of them is left on this drive; the other snapshots restore as before.")
			}
			if len(res.ElsewhereHolding) > 0 {
				fmt.Fprintf(w, "\nOther drives still hold it (plug each in and run this again with its --repo):\n\n")
				writeHeld(w, res.ElsewhereHolding)
			}
		}); oerr != nil {
			return oerr
		}
		return err
	})
}

type driveJSON struct {
	Repo       string   `json:"repo_id"`
	Folder     string   `json:"folder"`
	Drive      string   `json:"drive"`
	SystemDisk bool     `json:"system_disk"`
	First      string   `json:"first"`
	Last       string   `json:"last"`
	Snapshots  int      `json:"snapshots"`
	Forgotten  int      `json:"forgotten"`
	Encrypted  bool     `json:"encrypted"`
	OpenedBy   []string `json:"opened_by"`
	PluggedIn  bool     `json:"plugged_in"`
}

type exposedJSON struct {
	ClientID  int64  `json:"client_id"`
	Label     string `json:"label"`
	Register  string `json:"register,omitempty"`
	Destroyed bool   `json:"destroyed"`
	Deleted   bool   `json:"deleted"`
	First     string `json:"first"`
	Last      string `json:"last"`
	Snapshots int    `json:"snapshots"`
}

func (r *runner) backupDrives(args []string) error {
	fs := r.flags("backup drives")
	clients := fs.String("clients", "", "list the clients whose data is on this drive (its id from the list, or the first 8 digits of it)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (backup drives takes only flags; see \"casevault backup drives --help\")", pos[0])
	}
	return r.open(func(s *app.Session) error {
		if *clients != "" {
			list, err := s.ClientsOnRepository(r.ctx, *clients)
			if err != nil {
				return err
			}
			js := []exposedJSON{}
			for _, c := range list {
				js = append(js, exposedJSON{ClientID: c.ClientID, Label: c.Label, Register: c.Register, Destroyed: c.Destroyed, Deleted: c.Deleted,
					First: c.First.UTC().Format(jsonTime), Last: c.Last.UTC().Format(jsonTime), Snapshots: c.Snapshots})
			}
			return r.out(js, func(w io.Writer) {
				fmt.Fprintf(w, "%s on the drive, in the snapshots it still holds:\n\n", human.Capitalize(human.Count(len(list), "client", "clients")))
				fmt.Fprintln(w, "CLIENT\tID\tIN SNAPSHOTS\tOLDEST\tNEWEST")
				for _, c := range list {
					fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\n", cell(c.Label), c.ClientID, c.Snapshots, human.Time(c.First), human.Time(c.Last))
				}
				fmt.Fprintln(w, "\nThe list errs on the side of caution: a client added while a backup ran may be listed although that backup does not hold it.")
			})
		}
		list, err := s.KnownRepositories(r.ctx)
		if err != nil {
			return err
		}
		js := []driveJSON{}
		for _, d := range list {
			js = append(js, driveJSON{Repo: d.RepoID, Folder: d.Target, Drive: d.Volume, SystemDisk: d.SystemDisk, First: d.First.UTC().Format(jsonTime),
				Last: d.Last.UTC().Format(jsonTime), Snapshots: d.Snapshots, Forgotten: d.Forgotten, Encrypted: true,
				OpenedBy: append([]string{}, d.Slots...), PluggedIn: d.Present})
		}
		return r.out(js, func(w io.Writer) {
			if len(list) == 0 {
				fmt.Fprintln(w, "The vault has made no backup yet (casevault backup --repo FOLDER-ON-A-USB-DRIVE).")
				return
			}
			for i, d := range list {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "Drive\t%s\n", cell(driveName(d.Volume)))
				fmt.Fprintf(w, "Folder\t%s\n", cell(d.Target))
				fmt.Fprintf(w, "Id\t%s\n", cell(d.RepoID))
				if d.SystemDisk {
					fmt.Fprintln(w, "Where\tthe laptop's own disk (lost with the laptop)")
				}
				fmt.Fprintf(w, "Snapshots\t%s, from %s to %s", human.Count(d.Snapshots, "snapshot", "snapshots"), human.Time(d.First), human.Time(d.Last))
				if d.Forgotten > 0 {
					fmt.Fprintf(w, " (%s removed since)", human.Count(d.Forgotten, "snapshot", "snapshots"))
				}
				fmt.Fprintln(w)
				fmt.Fprintf(w, "Protected\tencrypted; opens with %s\n", cell(strings.Join(d.Slots, ", ")))
				fmt.Fprintf(w, "Plugged in\t%s\n", yesNo(d.Present))
			}
			fmt.Fprintf(w, "\nIf a drive is lost, the clients whose data was on it: casevault backup drives --clients ID%s\n", cell(r.vaultFlag()))
		})
	})
}
