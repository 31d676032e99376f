// The asset map: wards shaded by deprivation (or another measure of need)
// under clustered asset markers. Each ward's colour for each shading comes
// with its data (assets/mapdata.py): the page's legend is drawn from the same
// palette, so this file holds no ward colours.
// Everything it shows is also in the page's table, so the map is an
// enhancement: with no JavaScript, tiles or network, the page still works.
(function () {
  "use strict";
  var element = document.getElementById("asset-map");
  var configElement = document.getElementById("map-config");
  if (!element || !configElement || !window.L) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var status = document.getElementById("map-status");

  var CATEGORY_COLOURS = {
    associations: "#1d70b8",
    institutions: "#4c2c92",
    physical: "#00703c",
    economy: "#b45f06",
    culture: "#0b0c0c"
  };

  // maxZoom is set on the map itself: clustering needs it even when there
  // is no tile layer to supply it.
  // The map opens on the council's wards (England when none are loaded).
  var map = L.map(element, { scrollWheelZoom: false, maxZoom: 19 });
  map.fitBounds(config.bounds);
  var shading = config.shading;
  var wardLayer = null;
  if (config.tiles) {
    L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function popupFor(feature) {
    var p = feature.properties;
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.className = "govuk-link";
    link.href = p.url;
    link.textContent = p.name;
    var title = document.createElement("p");
    title.className = "govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1";
    title.appendChild(link);
    box.appendChild(title);
    var lines = [
      p.category_label, p.address, p.area,
      p.staff_only ? "Staff only" : "", p.closed ? "Closed" : ""
    ];
    lines.forEach(function (line) {
      if (line) {
        var item = document.createElement("p");
        item.className = "govuk-body-s govuk-!-margin-bottom-1";
        item.textContent = line;
        box.appendChild(item);
      }
    });
    return box;
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      });
  }

  function wardStyle(feature) {
    return {
      color: "#0b0c0c",
      weight: 1,
      fillColor: feature.properties.fills[shading],
      fillOpacity: config.fillOpacity
    };
  }

  function wardTooltip(feature) {
    var figure = feature.properties.figures[shading];
    return feature.properties.name + (figure ? ": " + figure : "");
  }

  function shadeBy(key) {
    shading = key;
    document.querySelectorAll(".abcd-map-legend__shading").forEach(function (legend) {
      legend.hidden = legend.getAttribute("data-shading") !== key;
    });
    if (wardLayer) {
      wardLayer.setStyle(wardStyle);
      wardLayer.eachLayer(function (layer) {
        layer.setTooltipContent(wardTooltip(layer.feature));
      });
    }
    element.setAttribute("data-shading", key);
  }

  // Choosing a shading redraws the wards at once; without JavaScript the
  // filter form's button does it.
  var chooser = document.getElementById("id_shading");
  if (chooser) {
    chooser.addEventListener("change", function () {
      shadeBy(chooser.value);
    });
  }

  load(config.wards).then(function (wards) {
    wardLayer = L.geoJSON(wards, {
      style: wardStyle,
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(wardTooltip(feature), { sticky: true });
      }
    }).addTo(map);
    wardLayer.bringToBack();
    wardLayer.eachLayer(function (layer) {
      var path = layer.getElement && layer.getElement();
      if (path) {
        path.setAttribute("data-ward", layer.feature.properties.ons_code);
      }
    });
    element.setAttribute("data-wards", String(wardLayer.getLayers().length));
    shadeBy(shading);
  }).catch(function () {
    say("The ward boundaries could not be loaded.");
  });

  load(config.assets).then(function (data) {
    var cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      iconCreateFunction: function (group) {
        var count = group.getChildCount();
        var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
        return L.divIcon({
          html: "<div><span>" + count + '<span class="govuk-visually-hidden"> assets</span></span></div>',
          className: "marker-cluster marker-cluster-" + size,
          iconSize: L.point(40, 40)
        });
      }
    });
    var markers = data.features.map(function (feature) {
      var coordinates = feature.geometry.coordinates;
      var colour = CATEGORY_COLOURS[feature.properties.category] || "#505a5f";
      return L.circleMarker([coordinates[1], coordinates[0]], {
        radius: 7,
        color: "#ffffff",
        weight: 2,
        fillColor: colour,
        fillOpacity: 1
      }).bindPopup(function () { return popupFor(feature); });
    });
    cluster.addLayers(markers);
    map.addLayer(cluster);
    element.setAttribute("data-loaded", String(markers.length));
    say(markers.length + (markers.length === 1 ? " asset is" : " assets are") + " on the map.");
  }).catch(function (error) {
    if (window.console) {
      window.console.error(error);
    }
    say("The assets could not be loaded on the map. The table lists them.");
  });
})();
