package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/apptest"
)

// slot is one checkpoint file of a saved run, as the page's origin-private
// file system holds it.
type slot struct {
	Run    string `json:"run"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Step   int    `json:"step"`
	DataAt int64  `json:"dataAt"` // where the tensors start
}

// opfs are functions over the saved runs, run in the page: slots() lists
// the checkpoint files with the step in their header; damage(s, how)
// truncates slot s to half its size or flips one bit of its tensors;
// entries() counts what the file system holds.
const opfs = `
const runs = async () => (await (await navigator.storage.getDirectory()).getDirectoryHandle('prefixtune')).getDirectoryHandle('runs');
const slots = async () => {
	const out = [];
	for await (const run of (await runs()).values()) {
		for await (const f of run.values()) {
			if (!f.name.startsWith('checkpoint-')) continue;
			const file = await f.getFile();
			const n = Number(new DataView(await file.slice(0, 8).arrayBuffer()).getBigUint64(0, true));
			const header = JSON.parse(await file.slice(8, 8 + n).text());
			out.push({run: run.name, name: f.name, size: file.size, step: +header.__metadata__.step, dataAt: 8 + n});
		}
	}
	return out;
};
const damage = async (s, how) => {
	const fh = await (await (await runs()).getDirectoryHandle(s.run)).getFileHandle(s.name);
	const w = await fh.createWritable({keepExistingData: true});
	if (how === 'truncate') {
		await w.truncate(Math.floor(s.size / 2));
	} else {
		const at = s.dataAt + 100;
		const b = new Uint8Array(await (await fh.getFile()).slice(at, at + 1).arrayBuffer());
		b[0] ^= 0x40;
		await w.write({type: 'write', position: at, data: b});
	}
	await w.close();
};
const entries = async () => {
	let n = 0;
	for await (const _ of (await navigator.storage.getDirectory()).keys()) n++;
	return n;
};`

// inPage runs the expression expr with the opfs functions in the page.
func inPage[T any](p *apptest.Page, expr string) T {
	p.T.Helper()
	return apptest.Eval[T](p, `(async () => {`+opfs+`
	return await `+expr+`; })()`)
}

// newest returns the slots of the only saved run, newest first.
func newest(p *apptest.Page) (top, other slot) {
	p.T.Helper()
	s := inPage[[]slot](p, `slots()`)
	if len(s) != 2 || s[0].Run != s[1].Run {
		p.Fail("the browser holds checkpoint files %+v, want the two slots of one run", s)
	}
	if s[1].Step > s[0].Step {
		s[0], s[1] = s[1], s[0]
	}
	return s[0], s[1]
}

// TestCheckpointFallback damages the newest checkpoint of a finished run,
// once with a flipped bit and once truncated as by a crash mid-write: each
// time the page offers the run at the previous slot's step, and it
// restores from there. Then "Clear everything stored" empties the
// origin-private file system and says what it removed.
func TestCheckpointFallback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	srv := serve(t, web.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{})
	p.LoadDemo()
	p.Sample("wordnet-definitions")
	p.Tune(map[string]string{"tune-steps": "30", "tune-save-every": "10"})
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, time.Minute)

	for i, how := range []string{"flip", "truncate"} {
		top, prev := newest(p)
		if top.Step != 30 || prev.Step != 20 {
			p.Fail("the slots hold steps %d and %d, want 30 (the end) and 20", top.Step, prev.Step)
		}
		inPage[any](p, fmt.Sprintf(`damage(%s, %q)`, mustJSON(top), how))
		p.Do("reloading", chromedp.Reload())
		p.Ready()
		offer := apptest.Wait[string](p, "the saved run", `document.querySelector('#train-resume p')?.textContent`, 30*time.Second)
		t.Logf("run %s: the newest slot, %s (step %d, %d bytes), damaged by %s; the page offers: %q", top.Run, top.Name, top.Step, top.Size,
			map[string]string{"flip": "one flipped bit", "truncate": "truncation to half"}[how], offer)
		if !strings.Contains(offer, "step 20 of 30") {
			p.Fail("with the newest checkpoint (step 30) damaged, the page offers %q, want the previous one, step 20", offer)
		}
		p.Screenshot("fallback-" + how)
		p.CheckAccessible("fallback-" + how)
		p.LoadDemo()
		if i == 0 { // resume: the next save replaces the damaged slot
			p.Click("#resume-saved")
			apptest.Wait[bool](p, "the end of the resumed run", apptest.Progress+`.startsWith('Done')`, time.Minute)
			continue
		}
		p.Click("#open-saved")
		line := apptest.Wait[string](p, "the restored run", `(t => t.startsWith('Paused') && t)(`+apptest.Progress+`)`, 30*time.Second)
		if !strings.HasPrefix(line, "Paused at step 20 of 30") {
			p.Fail("the restored run says %q, want step 20 of 30", line)
		}
		if n := apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points`); n != 20 {
			p.Fail("the restored run's chart has %d steps, want 20", n)
		}
	}

	// Clear everything stored.
	p.Click("#clear-storage")
	p.Click("#clear-confirm")
	cleared := apptest.Wait[string](p, "what was cleared", `document.getElementById('clear-result')?.textContent`, 30*time.Second)
	t.Logf("clearing: %s", cleared)
	if !strings.Contains(cleared, "1 saved run") {
		p.Fail("clearing says %q, want that it removed the saved run", cleared)
	}
	if n := inPage[int](p, `entries()`); n != 0 {
		p.Fail("after clearing, the origin-private file system holds %d entries", n)
	}
	apptest.Wait[bool](p, "the saved run to go", `!document.getElementById('train-resume')`, 30*time.Second)
	p.Screenshot("cleared")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
