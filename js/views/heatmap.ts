// Walking-skeleton view: response matrix (words x units) as a canvas heatmap with word labels,
// a colour legend and a tooltip. Later views (chips, clouds, links) replace it.
import { select, type Selection } from "d3-selection";
import { decode, type NdArray } from "../codecs";
import { divergingColor, divergingRgb, robustClip } from "../colors";
import type { HeatmapPayload } from "../model";
import type { Store } from "../store";
import type { AppState } from "../state";

const ROW_HEIGHT = 14;
const LABEL_WIDTH = 110;
const MAX_WIDTH = 720;

export interface HeatmapIntents {
  toggleWord(word: string): void;
}

interface Decoded {
  response: NdArray;
  counts: NdArray;
  clip: number;
}

function decodePayload(payload: HeatmapPayload): Decoded {
  const response = decode(payload.response);
  const counts = decode(payload.counts);
  if (response.shape.length !== 2 || response.shape[0] !== payload.words.length) {
    throw new Error(`response shape [${response.shape.join(", ")}] does not match ${payload.words.length} words`);
  }
  return { response, counts, clip: robustClip(response.data) };
}

function paintCanvas(canvas: HTMLCanvasElement, decoded: Decoded, cellWidth: number): void {
  const [rows, units] = decoded.response.shape;
  canvas.width = units * cellWidth;
  canvas.height = rows * ROW_HEIGHT;
  const context = canvas.getContext("2d");
  if (!context) return;
  const image = context.createImageData(canvas.width, canvas.height);
  const { data } = decoded.response;
  for (let row = 0; row < rows; row++) {
    for (let unit = 0; unit < units; unit++) {
      const [r, g, b] = divergingRgb(data[row * units + unit], decoded.clip);
      for (let y = row * ROW_HEIGHT; y < (row + 1) * ROW_HEIGHT - 1; y++) {
        for (let x = unit * cellWidth; x < (unit + 1) * cellWidth; x++) {
          const offset = (y * canvas.width + x) * 4;
          image.data[offset] = r;
          image.data[offset + 1] = g;
          image.data[offset + 2] = b;
          image.data[offset + 3] = 255;
        }
      }
    }
  }
  context.putImageData(image, 0, 0);
}

function drawLegend(legend: Selection<HTMLDivElement, unknown, null, undefined>, clip: number): void {
  legend.selectAll("*").remove();
  legend.append("span").attr("class", "rv-legend-label").text(`−${clip.toPrecision(2)}`);
  const bar = legend.append("span").attr("class", "rv-legend-bar");
  const stops = Array.from({ length: 11 }, (_, i) => divergingColor(-clip + (2 * clip * i) / 10, clip));
  bar.style("background", `linear-gradient(to right, ${stops.join(", ")})`);
  legend.append("span").attr("class", "rv-legend-label").text(`+${clip.toPrecision(2)}`);
  legend
    .append("span")
    .attr("class", "rv-legend-note")
    .text("mean change of each hidden unit (column) when the row's word is read; blue negative, red positive");
}

export function renderHeatmap(
  root: HTMLElement,
  payload: HeatmapPayload,
  store: Store<AppState>,
  intents: HeatmapIntents,
): () => void {
  const decoded = decodePayload(payload);
  const [rows, units] = decoded.response.shape;
  const cellWidth = Math.max(1, Math.floor(MAX_WIDTH / Math.max(1, units)));
  const container = select(root).append("div").attr("class", "rv-heatmap");
  container.attr("data-rows", rows).attr("data-units", units);

  const body = container.append("div").attr("class", "rv-heatmap-body");
  const labels = body.append("div").attr("class", "rv-heatmap-labels").style("width", `${LABEL_WIDTH}px`);
  labels
    .selectAll("div")
    .data(payload.words)
    .join("div")
    .attr("class", "rv-word")
    .style("height", `${ROW_HEIGHT}px`)
    .text((word) => word)
    .on("click", (_event, word) => intents.toggleWord(word));

  const canvas = body.append("canvas").attr("class", "rv-heatmap-canvas").node() as HTMLCanvasElement;
  paintCanvas(canvas, decoded, cellWidth);

  const tooltip = container.append("div").attr("class", "rv-tooltip").style("display", "none");
  select(canvas)
    .on("mousemove", (event: MouseEvent) => {
      const box = canvas.getBoundingClientRect();
      const unit = Math.floor(((event.clientX - box.left) / box.width) * units);
      const row = Math.floor(((event.clientY - box.top) / box.height) * rows);
      if (unit < 0 || unit >= units || row < 0 || row >= rows) return;
      const value = decoded.response.data[row * units + unit];
      tooltip
        .style("display", "block")
        .style("left", `${event.clientX - box.left + LABEL_WIDTH + 12}px`)
        .style("top", `${event.clientY - box.top + 12}px`)
        .text(`“${payload.words[row]}” → unit ${unit}: ${value.toFixed(4)} (seen ${decoded.counts.data[row]}×)`);
      store.update({ hoveredWord: payload.words[row] });
    })
    .on("mouseleave", () => {
      tooltip.style("display", "none");
      store.update({ hoveredWord: null });
    });

  drawLegend(container.append("div").attr("class", "rv-legend"), decoded.clip);

  const highlight = (state: AppState): void => {
    labels
      .selectAll<HTMLDivElement, string>("div")
      .classed("rv-selected", (word) => state.selectedWords.includes(word))
      .classed("rv-hovered", (word) => word === state.hoveredWord);
  };
  highlight(store.get());
  return store.subscribe(highlight);
}
