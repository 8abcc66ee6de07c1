// Names of precomputed views in a snapshot; must match rnnvis_widget/export.py's slot_key.
export function slotKey(layer: unknown, state: unknown, direction: unknown): string {
  return `${String(layer)}|${String(state)}|${String(direction)}`;
}
