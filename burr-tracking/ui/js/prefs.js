// Choices that are kept across visits, in the browser's local storage.

const KEYS = { stateView: "burr.stateView", asc: "burr.asc", showInputs: "burr.inputs", theme: "burr.theme" };

/** `stateView`: "after", "before" or "changes"; `asc`: oldest step first; `showInputs`: draw
 * the inputs of actions in graphs; `theme`: "auto", "light" or "dark". */
export function readPrefs() {
  return {
    theme: ["light", "dark"].includes(localStorage.getItem(KEYS.theme)) ? localStorage.getItem(KEYS.theme) : "auto",
    stateView: localStorage.getItem(KEYS.stateView) || "after",
    asc: localStorage.getItem(KEYS.asc) === "1",
    showInputs: localStorage.getItem(KEYS.showInputs) !== "0",
  };
}

export function savePref(name, value) {
  localStorage.setItem(KEYS[name], typeof value === "boolean" ? (value ? "1" : "0") : value);
}
