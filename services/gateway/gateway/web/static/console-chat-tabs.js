// The open chats as tabs (WAI-ARIA tabs: arrow keys, Home and End move between them).
const REMEMBERED = "atende.console.chat.tab";

export class Tabs {
  constructor(tablist, panels, empty) {
    this.tablist = tablist;
    this.panels = panels;
    this.empty = empty;
    this.views = new Map(); // key → ChatView, in tab order
    this.current = null;
    tablist.addEventListener("keydown", (event) => this._key(event));
    tablist.addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (tab) this.select(tab.dataset.key);
    });
    document.addEventListener("visibilitychange", () => this.current?.seen());
  }

  get(key) {
    return this.views.get(key);
  }

  all() {
    return [...this.views.values()];
  }

  /** Show a view's tab; the first one (or the one chosen before a reload) is selected. */
  add(view, { select = false } = {}) {
    this.views.set(view.key, view);
    this.tablist.append(view.tab);
    this.panels.append(view.panel);
    this.empty.hidden = true;
    const remembered = sessionStorage.getItem(REMEMBERED) === view.key;
    if (select || !this.current || remembered) this.select(view.key);
  }

  select(key, { focus = false } = {}) {
    const view = this.views.get(key);
    if (!view) return;
    for (const other of this.views.values()) if (other !== view) other.setSelected(false);
    view.setSelected(true);
    this.current = view;
    sessionStorage.setItem(REMEMBERED, key);
    if (focus) view.tab.focus();
  }

  remove(key) {
    const view = this.views.get(key);
    if (!view) return;
    const order = [...this.views.keys()];
    const next = order[order.indexOf(key) + 1] ?? order[order.indexOf(key) - 1];
    view.tab.remove();
    view.panel.remove();
    this.views.delete(key);
    if (this.current === view) {
      this.current = null;
      if (next) this.select(next, { focus: true });
    }
    this.empty.hidden = this.views.size > 0;
  }

  _key(event) {
    const keys = [...this.views.keys()];
    const at = keys.indexOf(event.target.closest("[role=tab]")?.dataset.key);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: keys.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.select(keys[(to + keys.length) % keys.length], { focus: true });
  }
}
