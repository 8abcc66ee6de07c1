// Saves the main view (chips, links, clouds) as a standalone SVG or PNG file. Styles come from
// CSS classes and JupyterLab's theme variables, so the computed values are copied onto the
// clone: the file then looks the same wherever it is opened.
import { select } from "d3-selection";

const SVG_NS = "http://www.w3.org/2000/svg";

const STYLE_PROPERTIES = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "text-decoration",
];

/** A self-contained copy of `svg` with computed styles inlined and a background. */
export function standaloneSvg(svg: SVGSVGElement, background: string): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll("*")];
  const copies = [clone, ...clone.querySelectorAll("*")];
  originals.forEach((original, i) => {
    const style = getComputedStyle(original);
    const target = copies[i] as SVGElement;
    target.removeAttribute("class");
    for (const property of STYLE_PROPERTIES) {
      const value = style.getPropertyValue(property);
      if (value) target.style.setProperty(property, value);
    }
  });
  // A canvas in the graph (the memory chips' colours) is saved as the picture it shows; its
  // pixels line up with the chip squares, so they are scaled without smoothing.
  const frames = clone.querySelectorAll("foreignObject");
  svg.querySelectorAll("foreignObject").forEach((frame, i) => {
    const canvas = frame.querySelector("canvas");
    if (!canvas) return;
    const image = document.createElementNS(SVG_NS, "image");
    for (const name of ["x", "y", "width", "height"]) image.setAttribute(name, frame.getAttribute(name) ?? "0");
    image.setAttribute("preserveAspectRatio", "none");
    image.setAttribute("image-rendering", "optimizeSpeed");
    image.style.setProperty("image-rendering", "pixelated");
    image.setAttribute("href", canvas.toDataURL("image/png"));
    frames[i].replaceWith(image);
  });
  clone.setAttribute("xmlns", SVG_NS);
  const backdrop = document.createElementNS(SVG_NS, "rect");
  backdrop.setAttribute("width", "100%");
  backdrop.setAttribute("height", "100%");
  backdrop.setAttribute("fill", background);
  clone.insertBefore(backdrop, clone.firstChild);
  // XMLSerializer escapes token text, so a word like "</svg>" stays text in the file.
  return new XMLSerializer().serializeToString(clone);
}

function offer(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function savePng(svgText: string, width: number, height: number, filename: string): void {
  const scale = 2;
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = width * scale;
    canvas.height = height * scale;
    const context = canvas.getContext("2d");
    if (!context) return;
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    URL.revokeObjectURL(url);
    canvas.toBlob((blob) => blob && offer(blob, filename), "image/png");
  };
  image.src = url;
}

export function renderDownloads(bar: HTMLElement, graph: () => SVGSVGElement | null, root: HTMLElement): void {
  const group = select(bar).append("span").attr("class", "rv-downloads");
  const save = (format: "svg" | "png"): void => {
    const svg = graph();
    if (!svg) return;
    const text = standaloneSvg(svg, getComputedStyle(root).backgroundColor || "#ffffff");
    const width = Number(svg.getAttribute("width"));
    const height = Number(svg.getAttribute("height"));
    if (format === "svg") offer(new Blob([text], { type: "image/svg+xml" }), "rnnvis.svg");
    else savePng(text, width, height, "rnnvis.png");
  };
  group.append("button").attr("class", "rv-save-svg").attr("title", "save the view as SVG").text("⤓ SVG").on("click", () => save("svg"));
  group.append("button").attr("class", "rv-save-png").attr("title", "save the view as PNG").text("⤓ PNG").on("click", () => save("png"));
}
