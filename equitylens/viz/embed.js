(function () {
  "use strict";
  // Reflow a chart to its column instead of shrinking it: stack side-by-side panels,
  // narrow the plots, and wrap long lines, so text keeps its size on a phone.
  var MIN_PLOT = 90;
  var MIN_STEP = 32; // narrowest table column or band, px
  var STACK_BELOW = 600; // a column narrower than this stacks side-by-side panels, px
  var ROW = 32; // band height for a name wrapped onto two lines, px
  var LABEL = 150; // widest axis label column on a narrow screen, px
  var CHAR = 0.56; // average glyph width as a share of the font size
  var BOLD = 0.62; // the same for bold titles

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
    var encoding = node.encoding || {};
    Object.keys(encoding).forEach(function (channel) {
      var legend = encoding[channel] && encoding[channel].legend;
      if (channel === "x" || channel === "y" || legend === null || (legend && legend.orient === "none")) return;
      legend = encoding[channel].legend = legend || {};
      if (!legend.orient || legend.orient === "right" || legend.orient === "left") legend.orient = "bottom";
      legend.columns = 1;
    });
    Object.keys(node).forEach(function (key) { if (key !== "datasets" && key !== "data") stack(node[key]); });
  }

  // A view that only writes a line of text (x given as a value): the notes and headlines.
  function isNote(node) {
    var mark = node.mark, x = node.encoding && node.encoding.x;
    return mark && (mark === "text" || mark.type === "text") && x && x.value !== undefined;
  }

  // Narrow columns: slanted names rather than overlapping ones (the layers share the x axis).
  function slant(node) {
    var x = node.encoding && node.encoding.x;
    if (x && x.axis !== null && (x.type === "nominal" || x.type === "ordinal")) {
      x.axis = x.axis || {};
      x.axis.labelAngle = -45;
    }
    (node.layer || []).forEach(slant);
  }

  // A narrowed plot: about one number every 45 px, so they do not run together.
  function fewerTicks(node, width) {
    var x = node.encoding && node.encoding.x;
    if (x && x.axis !== null && x.type === "quantitative") {
      x.axis = x.axis || {};
      x.axis.tickCount = Math.max(2, Math.floor(width / 45));
    }
    (node.layer || []).forEach(function (layer) { fewerTicks(layer, width); });
  }

  function nominalY(node) {
    var y = node.encoding && node.encoding.y;
    if (y && y.type === "nominal") return true; // panels that share rows (axis or not) keep one row height
    return (node.layer || []).some(nominalY);
  }

  function narrow(node, excess, ratio, available, textSize) {
    if (Array.isArray(node)) { node.forEach(function (n) { narrow(n, excess, ratio, available, textSize); }); return; }
    if (!node || typeof node !== "object") return;
    // Axis titles are bold, one size up, and centred under a plot that starts after the labels.
    var chars = Math.max(16, Math.floor((available - LABEL) / ((textSize + 1) * BOLD)));
    if (isNote(node)) {
      // Notes sit where the plots start, right of the axis labels (at most LABEL px wide).
      var mark = node.mark = typeof node.mark === "string" ? {type: "text"} : node.mark;
      var size = mark.fontSize || textSize;
      node.width = Math.max(MIN_PLOT, available - LABEL - 16);
      if (typeof mark.limit === "number") mark.limit = node.width;
      var fit = Math.max(16, Math.floor(node.width / (size * CHAR)));
      var text = node.encoding.text;
      if (text && text.field && !mark.lineBreak) {
        var field = "__wrapped_" + String(text.field).replace(/\W/g, "_");
        node.transform = (node.transform || []).concat([{calculate:
          "trim(replace(toString(datum[" + JSON.stringify(text.field) + "]), regexp('(.{1," + fit +
          "})(\\\\s|$)', 'g'), '$1\\n'))", as: field}]);
        text.field = field;
        mark.lineBreak = "\n";
      }
      (node.transform || []).forEach(function (step) {
        if (step.calculate) step.calculate = step.calculate.replace(/\(\.\{1,(\d+)\}\)/g, function (all, n) {
          return "(.{1," + Math.min(Number(n), fit) + "})";
        });
      });
      return;
    }
    if (node.height && typeof node.height.step === "number" && nominalY(node)) {
      node.height.step = Math.max(node.height.step, ROW); // room for a name on two lines
    }
    if (typeof node.width === "number" && excess > 0) {
      node.width = Math.max(MIN_PLOT, Math.floor(node.width * ratio));
      fewerTicks(node, node.width);
      slant(node);
    }
    else if (node.width && typeof node.width.step === "number") {
      node.width.step = Math.max(MIN_STEP, Math.floor(node.width.step * ratio));
      slant(node);
    }
    Object.keys(node.encoding || {}).forEach(function (channel) {
      var enc = node.encoding[channel];
      if (!enc || typeof enc !== "object") return;
      if ((channel === "x" || channel === "y") && typeof enc.title === "string" && enc.title.length > chars) {
        enc.title = wrapText(enc.title, chars);
      }
      if (channel === "y" && enc.type === "nominal" && enc.axis !== null && !(enc.axis && enc.axis.labelExpr)) {
        // Long group names wrap onto two lines instead of pushing the plot off the screen.
        enc.axis = enc.axis || {};
        enc.axis.labelLimit = LABEL;
        enc.axis.labelLineHeight = 13;
        enc.axis.labelOffset = {condition: {test: "length(datum.label) > 22", value: -6}, value: 0};
        enc.axis.labelExpr = "split(trim(replace(datum.label, regexp('(.{1,22})(\\\\s|$)', 'g'), '$1\\n')), '\\n')";
      }
      if (enc.legend) {
        // A legend under the plot starts where the plot starts: long labels wrap to what is left.
        var room = Math.max(MIN_PLOT, available - LABEL - 40);
        enc.legend.labelLimit = room;
        enc.legend.labelExpr = "split(trim(replace(datum.label, regexp('(.{1," + Math.floor(room / (textSize * CHAR)) +
          "})(\\\\s|$)', 'g'), '$1\\n')), '\\n')";
      }
    });
    Object.keys(node).forEach(function (key) {
      if (key !== "datasets" && key !== "data" && key !== "encoding" && key !== "mark") narrow(node[key], excess, ratio, available, textSize);
    });
  }

  function wrapTitle(spec, original, width) {
    var title = spec.title, config = (spec.config && spec.config.title) || {};
    if (!title || typeof title !== "object") return;
    var size = config.fontSize || 16, subSize = config.subtitleFontSize || 13;
    title.text = wrapText(original.title.text, Math.floor(width / (size * BOLD)));
    if (title.subtitle) title.subtitle = wrapText(original.title.subtitle, Math.floor(width / (subSize * CHAR)));
  }

  // How far right the chart's title (``title`` true) or everything else reaches, in the SVG's px.
  function rightEdge(target, title) {
    var svg = target.querySelector("svg");
    if (!svg) return 0;
    var box = svg.getBoundingClientRect(), scale = drawnWidth(target) / (box.width || 1), right = 0;
    svg.querySelectorAll("text, path, rect, line").forEach(function (element) {
      if (Boolean(element.closest(".role-title")) !== title) return;
      var rect = element.getBoundingClientRect();
      if (rect.width > 0) right = Math.max(right, (rect.right - box.left) * scale);
    });
    return right;
  }

  // The column's width. (Vega-Embed makes the target an inline block, as wide as its chart.)
  function room(target) {
    var parent = target.parentElement, style = getComputedStyle(parent);
    return Math.floor(parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
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
      var available = room(target);
      if (available === lastWidth) return busy;
      lastWidth = available;
      var textSize = (original.config && original.config.text && original.config.text.fontSize) || 12;
      // Side by side but narrower on a wide column; stacked below STACK_BELOW px or when narrowing is not enough.
      function fitted(stacked) {
        var spec = clone(original);
        if (stacked) stack(spec);
        var titleWidth = available - 8, attempt = 0;
        wrapTitle(spec, original, titleWidth);
        narrow(spec, 0, 1, available, textSize); // notes, names and legends fitted before any plot narrows
        function again(result) {
          var drawn = drawnWidth(target);
          if (drawn <= available || attempt >= 5) return result;
          attempt += 1;
          var head = rightEdge(target, true), body = rightEdge(target, false);
          var pad = Math.max(0, drawn - Math.max(head, body)); // Vega's padding on the right
          if (head + pad > available) { titleWidth -= Math.ceil(head + pad - available) + 2; wrapTitle(spec, original, titleWidth); }
          if (body + pad > available) {
            narrow(spec, Math.ceil(body + pad - available), (available - 6) / (body + pad), available, textSize);
          }
          return render(clone(spec)).then(again);
        }
        return render(clone(spec)).then(again);
      }
      busy = busy.then(function () { return render(clone(original)); }).then(function (result) {
        if (drawnWidth(target) <= available) return result;
        var first = available >= STACK_BELOW ? fitted(false) : Promise.resolve(null);
        return first.then(function (result) {
          return result && drawnWidth(target) <= available ? result : fitted(true);
        });
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
        if (room(target) === lastWidth) return;
        target.removeAttribute("data-equitylens-drawn");
        draw();
      }, 200);
    });
    return draw();
  }

  window.equitylensEmbed = embed;
})();
