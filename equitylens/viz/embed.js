(function () {
  "use strict";
  // Reflow a chart to its column instead of shrinking it: stack side-by-side panels,
  // narrow the plots, and wrap long lines, so text keeps its size on a phone.
  var MIN_PLOT = 90;
  var CHAR = 0.56; // average glyph width as a share of the font size

  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  function wrapLine(text, chars) {
    var words = String(text).split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > chars) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }

  function wrapText(value, chars) {
    var lines = Array.isArray(value) ? value : [value];
    return lines.reduce(function (all, line) { return all.concat(wrapLine(line, chars)); }, []);
  }

  function stack(node) {
    if (Array.isArray(node)) { node.forEach(stack); return; }
    if (!node || typeof node !== "object") return;
    if (node.hconcat) { node.vconcat = node.hconcat; delete node.hconcat; }
    if (node.concat) node.columns = 1;
    if (node.facet && node.facet.column && !node.facet.row) {
      node.facet = node.facet.column; node.columns = 1;
      node.resolve = node.resolve || {};
    }
    if (node.encoding && node.encoding.column && !node.encoding.row) {
      node.encoding.facet = node.encoding.column; node.encoding.facet.columns = 1; delete node.encoding.column;
    }
    Object.keys(node).forEach(function (key) { if (key !== "datasets" && key !== "data") stack(node[key]); });
  }

  function narrow(node, excess, ratio, chars, textSize) {
    if (Array.isArray(node)) { node.forEach(function (n) { narrow(n, excess, ratio, chars, textSize); }); return; }
    if (!node || typeof node !== "object") return;
    if (typeof node.width === "number") node.width = Math.max(MIN_PLOT, node.width - excess);
    else if (node.width && typeof node.width.step === "number") node.width.step = Math.max(24, Math.floor(node.width.step * ratio));
    var mark = node.mark;
    if (mark && (mark === "text" || mark.type === "text")) {
      if (typeof mark === "string") { mark = node.mark = {type: "text"}; }
      var size = mark.fontSize || textSize;
      var fit = Math.max(16, Math.floor((typeof node.width === "number" ? node.width : chars * size * CHAR) / (size * CHAR)));
      if (typeof mark.limit === "number") mark.limit = Math.max(MIN_PLOT, mark.limit - excess);
      var text = node.encoding && node.encoding.text;
      if (text && text.field && !mark.lineBreak) {
        var field = "__wrapped_" + String(text.field).replace(/\W/g, "_");
        node.transform = (node.transform || []).concat([{calculate:
          "trim(replace(toString(datum[" + JSON.stringify(text.field) + "]), regexp('(.{1," + fit +
          "})(\\\\s|$)', 'g'), '$1\\n'))", as: field}]);
        text.field = field;
        mark.lineBreak = "\n";
      } else if (node.transform) {
        node.transform.forEach(function (step) {
          if (step.calculate) step.calculate = step.calculate.replace(/\(\.\{1,(\d+)\}\)/g, function (all, n) {
            return "(.{1," + Math.min(Number(n), fit) + "})";
          });
        });
      }
    }
    ["x", "y"].forEach(function (channel) {
      var enc = node.encoding && node.encoding[channel];
      if (enc && typeof enc.title === "string" && enc.title.length > chars) enc.title = wrapText(enc.title, chars);
    });
    Object.keys(node).forEach(function (key) {
      if (key !== "datasets" && key !== "data" && key !== "encoding" && key !== "mark") narrow(node[key], excess, ratio, chars, textSize);
    });
  }

  function wrapTitle(spec, available) {
    var title = spec.title, config = (spec.config && spec.config.title) || {};
    if (!title || typeof title !== "object") return;
    var size = config.fontSize || 16, subSize = config.subtitleFontSize || 13;
    title.text = wrapText(title.text, Math.floor(available / (size * CHAR)));
    if (title.subtitle) title.subtitle = wrapText(title.subtitle, Math.floor(available / (subSize * CHAR)));
  }

  function drawnWidth(target) {
    var svg = target.querySelector("svg");
    return svg ? parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width : 0;
  }

  function embed(target, original, options, onDrawn) {
    var current = null, lastWidth = -1, busy = Promise.resolve();

    function render(spec) {
      if (current) current.finalize();
      return vegaEmbed(target, spec, options).then(function (result) { current = result; return result; });
    }

    function draw() {
      var available = Math.floor(target.getBoundingClientRect().width);
      if (available === lastWidth) return busy;
      lastWidth = available;
      var spec = clone(original);
      var textSize = (spec.config && spec.config.text && spec.config.text.fontSize) || 12;
      var chars = Math.max(20, Math.floor(available / (12 * CHAR)));
      busy = busy.then(function () { return render(spec); }).then(function (result) {
        var width = drawnWidth(target);
        if (width <= available) return result;
        spec = clone(original);
        stack(spec);
        wrapTitle(spec, available);
        var attempt = 0;
        function again(result) {
          var drawn = drawnWidth(target), excess = drawn - available;
          if (excess <= 0 || attempt >= 4) return result;
          attempt += 1;
          narrow(spec, Math.ceil(excess) + 4, (available - 4) / drawn, chars, textSize);
          return render(clone(spec)).then(again);
        }
        return render(clone(spec)).then(again);
      }).then(function (result) {
        onDrawn(result);
        target.setAttribute("data-equitylens-drawn", String(available));
        return result;
      }).catch(function (error) { target.textContent = String(error); });
      return busy;
    }

    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (Math.floor(target.getBoundingClientRect().width) === lastWidth) return;
        target.removeAttribute("data-equitylens-drawn");
        draw();
      }, 200);
    });
    return draw();
  }

  window.equitylensEmbed = embed;
})();
