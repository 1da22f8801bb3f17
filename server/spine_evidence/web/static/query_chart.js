// A YASR plugin, "Chart": a bar chart of a numeric column of a SELECT answer, one bar per row,
// drawn as inline SVG in the page from the result bindings (YASGUI's own chart plugin loads
// Google Charts from elsewhere; this one fetches nothing). A column is numeric when every row
// binds it to a literal of an XSD numeric datatype. The bars are labelled with another column
// (IRIs in prefixed form) or the row number; both columns can be chosen above the chart.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
    "unsignedLong", "unsignedShort", "unsignedByte"].map((name) => XSD + name));
  const MIN_WIDTH = 320;
  const MAX_WIDTH = 960;
  const LABEL_SHARE = 0.36; // of the chart's width, for the bars' labels
  const VALUE_WIDTH = 70;
  const ROW = 24;
  const BAR = 16;
  const CHARACTER = 7.5; // the width of a character of the labels (13 px), for cutting long ones

  const isNumber = (cell) => cell !== undefined && cell.type !== "uri" && cell.type !== "bnode"
    && NUMERIC.has(cell.datatype) && Number.isFinite(Number(cell.value));

  const numericColumns = (variables, rows) =>
    variables.filter((name) => rows.length > 0 && rows.every((row) => isNumber(row[name])));

  const svgElement = (name, attributes, text) => {
    const node = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([key, value]) => node.setAttribute(key, String(value)));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const shortened = (text, room) => {
    const characters = Math.floor(room / CHARACTER);
    return text.length > characters ? `${text.slice(0, characters - 1)}…` : text;
  };

  class BarChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Chart";
      this.priority = 3;
      this.svg = null;
    }

    answer() {
      const results = this.yasr.results;
      if (!results || results.getType() !== "json" || results.getBoolean() !== undefined) return null;
      return { variables: results.getVariables(), rows: results.getBindings() };
    }

    canHandleResults() {
      const answer = this.answer();
      return Boolean(answer) && numericColumns(answer.variables, answer.rows).length > 0;
    }

    getIcon() {
      const icon = svgElement("svg", { viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" });
      [[1, 9, 4, 6], [6, 3, 4, 12], [11, 6, 4, 9]].forEach(([x, y, w, h]) =>
        icon.appendChild(svgElement("rect", { x, y, width: w, height: h, fill: "currentColor" })));
      return icon;
    }

    // The text a bar is labelled with: the cell of the label column (an IRI prefixed), or the row number.
    text(row, index, column) {
      const cell = column ? row[column] : undefined;
      if (!cell) return `row ${index + 1}`;
      if (cell.type !== "uri") return cell.value;
      const prefixes = this.yasr.getPrefixes();
      for (const [prefix, namespace] of Object.entries(prefixes)) {
        if (cell.value.startsWith(namespace) && cell.value.length > namespace.length) {
          return `${prefix}:${cell.value.slice(namespace.length)}`;
        }
      }
      return cell.value;
    }

    select(name, options, chosen, onChange) {
      const label = document.createElement("label");
      label.append(`${name} `);
      const menu = document.createElement("select");
      options.forEach(([value, text]) => menu.appendChild(new Option(text, value, false, value === chosen)));
      menu.addEventListener("change", () => onChange(menu.value));
      label.appendChild(menu);
      return label;
    }

    draw() {
      const { variables, rows } = this.answer();
      const numeric = numericColumns(variables, rows);
      const others = variables.filter((name) => !numeric.includes(name));
      this.column = numeric.includes(this.column) ? this.column : numeric[0];
      this.labelColumn = variables.includes(this.labelColumn) ? this.labelColumn : (others[0] || "");
      const root = document.createElement("div");
      root.className = "query-chart";
      const controls = document.createElement("div");
      controls.className = "query-chart-controls";
      controls.append(
        this.select("Bar length", numeric.map((name) => [name, `?${name}`]), this.column, (value) => {
          this.column = value;
          this.yasr.draw();
        }),
        this.select("Bar label", [...variables.filter((n) => n !== this.column).map((n) => [n, `?${n}`]),
          ["", "row number"]], this.labelColumn, (value) => {
          this.labelColumn = value;
          this.yasr.draw();
        }),
      );
      this.svg = this.chart(rows);
      root.append(controls, this.svg);
      this.yasr.resultsEl.appendChild(root);
    }

    chart(rows) {
      const values = rows.map((row) => Number(row[this.column].value));
      const low = Math.min(0, ...values);
      const high = Math.max(0, ...values);
      const span = high - low || 1;
      // Drawn at the width of the results area (so its text keeps its size on a phone).
      const width = Math.max(MIN_WIDTH, Math.min(this.yasr.resultsEl.clientWidth || MAX_WIDTH, MAX_WIDTH));
      const labelWidth = Math.round(width * LABEL_SHARE);
      const area = width - labelWidth - VALUE_WIDTH;
      const x = (value) => labelWidth + ((value - low) / span) * area;
      const height = rows.length * ROW + 8;
      const title = `Bar chart of ?${this.column}, one bar per row (${rows.length} rows)`;
      const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
        "aria-label": title, class: "query-chart-svg" });
      svg.appendChild(svgElement("title", {}, title));
      svg.appendChild(svgElement("line", { x1: x(0), x2: x(0), y1: 0, y2: height, class: "axis" }));
      rows.forEach((row, index) => {
        const value = values[index];
        const label = this.text(row, index, this.labelColumn);
        const top = index * ROW + 4;
        const bar = svgElement("g", { class: "bar" });
        bar.appendChild(svgElement("title", {}, `${label}: ${row[this.column].value}`));
        bar.appendChild(svgElement("text", { x: labelWidth - 8, y: top + BAR - 3, "text-anchor": "end" },
          shortened(label, labelWidth - 8)));
        bar.appendChild(svgElement("rect", { x: Math.min(x(0), x(value)), y: top,
          width: Math.abs(x(value) - x(0)), height: BAR }));
        bar.appendChild(svgElement("text", { x: Math.max(x(0), x(value)) + 6, y: top + BAR - 3, class: "value" },
          row[this.column].value));
        svg.appendChild(bar);
      });
      return svg;
    }

    download() {
      if (!this.svg) return undefined;
      const svg = this.svg;
      return { contentType: "image/svg+xml", filename: "chart.svg", title: "Download the chart (SVG)",
        getData: () => new XMLSerializer().serializeToString(svg) };
    }
  }

  Yasgui.Yasr.registerPlugin("chart", BarChart);
})();
