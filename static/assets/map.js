// The asset map: wards shaded by deprivation under clustered asset markers.
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

  // 1 (most deprived) to 10, dark to light; the legend's swatches match.
  var DECILE_COLOURS = [
    "#67001f", "#980043", "#ce1256", "#e7298a", "#df65b0",
    "#c994c7", "#d4b9da", "#e7e1ef", "#f1eef6", "#f7f4f9"
  ];
  var CATEGORY_COLOURS = {
    associations: "#1d70b8",
    institutions: "#4c2c92",
    physical: "#00703c",
    economy: "#b45f06",
    culture: "#0b0c0c"
  };

  // maxZoom is set on the map itself: clustering needs it even when there
  // is no tile layer to supply it.
  var map = L.map(element, { scrollWheelZoom: false, maxZoom: 19 }).setView([51.8642, -2.2382], 12);
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

  load(config.wards).then(function (wards) {
    var layer = L.geoJSON(wards, {
      style: function (feature) {
        var decile = feature.properties.imd_decile;
        return {
          color: "#0b0c0c",
          weight: 1,
          fillColor: decile ? DECILE_COLOURS[decile - 1] : "#ffffff",
          fillOpacity: 0.45
        };
      },
      onEachFeature: function (feature, layer) {
        var decile = feature.properties.imd_decile;
        layer.bindTooltip(feature.properties.name + (decile ? ": IMD decile " + decile : ""), { sticky: true });
      }
    }).addTo(map);
    layer.bringToBack();
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds());
    }
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
