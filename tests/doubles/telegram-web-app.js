// A test double of https://telegram.org/js/telegram-web-app.js for the Mini App's browser
// tests (tests/doubles/webapp_fixtures.py serves it with page.route in place of the real one).
//
// The test prepends one line that sets `window.__TG_WEBAPP_DOUBLE__` to
// {initData, initDataUnsafe, colorScheme, themeParams, platform, version}: the initData
// string signed by tests/doubles/init_data.py, exactly what Telegram hands a Mini App.
//
// Like the real script it sets the theme as CSS variables on <html> (`--tg-theme-bg-color`
// for themeParams.bg_color, and so on, plus `--tg-color-scheme` and the viewport heights),
// and records what the page calls (ready, expand, haptics, popups) in `calls` so a test can
// check the page used the API as Telegram expects.
(function () {
  "use strict";
  var config = window.__TG_WEBAPP_DOUBLE__ || {};
  var handlers = {};
  var calls = [];

  function record(name, args) {
    calls.push({ method: name, args: Array.prototype.slice.call(args) });
  }

  function setCssProperty(name, value) {
    var root = document.documentElement;
    if (root && root.style && root.style.setProperty) {
      root.style.setProperty("--tg-" + name, value);
    }
  }

  function applyTheme(themeParams) {
    Object.keys(themeParams).forEach(function (key) {
      // The real script turns bg_color into --tg-theme-bg-color.
      setCssProperty("theme-" + key.split("_").join("-"), themeParams[key]);
    });
  }

  function applyViewport(height) {
    setCssProperty("viewport-height", height + "px");
    setCssProperty("viewport-stable-height", height + "px");
  }

  function emit(eventType, params) {
    (handlers[eventType] || []).slice().forEach(function (handler) {
      handler.call(WebApp, params);
    });
  }

  function noOpButton(name) {
    var button = {
      text: "",
      color: "",
      textColor: "",
      isVisible: false,
      isActive: true,
      isProgressVisible: false,
    };
    ["setText", "onClick", "offClick", "show", "hide", "enable", "disable",
      "showProgress", "hideProgress", "setParams"].forEach(function (method) {
      button[method] = function () {
        record(name + "." + method, arguments);
        if (method === "show") button.isVisible = true;
        if (method === "hide") button.isVisible = false;
        return button;
      };
    });
    return button;
  }

  function haptic(method) {
    return function () {
      record("HapticFeedback." + method, arguments);
      return WebApp.HapticFeedback;
    };
  }

  var themeParams = Object.assign({}, config.themeParams || {});
  var WebApp = {
    initData: config.initData || "",
    initDataUnsafe: config.initDataUnsafe || {},
    version: config.version || "9.1",
    platform: config.platform || "android",
    colorScheme: config.colorScheme || "light",
    themeParams: themeParams,
    isExpanded: false,
    viewportHeight: window.innerHeight,
    viewportStableHeight: window.innerHeight,
    headerColor: themeParams.header_bg_color || themeParams.bg_color || "",
    backgroundColor: themeParams.bg_color || "",
    isClosingConfirmationEnabled: false,
    MainButton: noOpButton("MainButton"),
    SecondaryButton: noOpButton("SecondaryButton"),
    BackButton: noOpButton("BackButton"),
    HapticFeedback: {
      impactOccurred: haptic("impactOccurred"),
      notificationOccurred: haptic("notificationOccurred"),
      selectionChanged: haptic("selectionChanged"),
    },
    isVersionAtLeast: function (version) {
      var mine = WebApp.version.split(".").map(Number);
      var theirs = String(version).split(".").map(Number);
      for (var i = 0; i < Math.max(mine.length, theirs.length); i++) {
        var a = mine[i] || 0;
        var b = theirs[i] || 0;
        if (a !== b) return a > b;
      }
      return true;
    },
    ready: function () {
      record("ready", arguments);
    },
    expand: function () {
      record("expand", arguments);
      WebApp.isExpanded = true;
      emit("viewportChanged", { isStateStable: true });
    },
    close: function () {
      record("close", arguments);
    },
    onEvent: function (eventType, handler) {
      (handlers[eventType] = handlers[eventType] || []).push(handler);
    },
    offEvent: function (eventType, handler) {
      handlers[eventType] = (handlers[eventType] || []).filter(function (h) {
        return h !== handler;
      });
    },
    setHeaderColor: function (color) {
      record("setHeaderColor", arguments);
      WebApp.headerColor = color;
    },
    setBackgroundColor: function (color) {
      record("setBackgroundColor", arguments);
      WebApp.backgroundColor = color;
    },
    enableClosingConfirmation: function () {
      WebApp.isClosingConfirmationEnabled = true;
    },
    disableClosingConfirmation: function () {
      WebApp.isClosingConfirmationEnabled = false;
    },
    // Popups answer at once, as a user who pressed the first (confirming) button would.
    showAlert: function (message, callback) {
      record("showAlert", arguments);
      if (callback) setTimeout(callback, 0);
    },
    showConfirm: function (message, callback) {
      record("showConfirm", arguments);
      if (callback) setTimeout(function () { callback(true); }, 0);
    },
    showPopup: function (params, callback) {
      record("showPopup", arguments);
      var first = (params.buttons || [{ id: "" }])[0];
      if (callback) setTimeout(function () { callback(first.id || ""); }, 0);
    },
    openLink: function () {
      record("openLink", arguments);
    },
    openTelegramLink: function () {
      record("openTelegramLink", arguments);
    },
    sendData: function () {
      record("sendData", arguments);
    },
  };

  // Test-only: switch the theme as Telegram does when the user changes it.
  Object.defineProperty(WebApp, "__double__", {
    value: {
      calls: calls,
      setTheme: function (scheme, params) {
        WebApp.colorScheme = scheme;
        Object.keys(themeParams).forEach(function (key) { delete themeParams[key]; });
        Object.assign(themeParams, params);
        applyTheme(themeParams);
        setCssProperty("color-scheme", scheme);
        emit("themeChanged");
      },
    },
  });

  applyTheme(themeParams);
  setCssProperty("color-scheme", WebApp.colorScheme);
  applyViewport(window.innerHeight);

  window.Telegram = window.Telegram || {};
  window.Telegram.WebApp = WebApp;
  // The real script also exposes the raw bridge; nothing here talks to a Telegram client.
  window.Telegram.WebView = {
    initParams: {},
    isIframe: false,
    onEvent: WebApp.onEvent,
    offEvent: WebApp.offEvent,
    postEvent: function () {},
    receiveEvent: function (eventType, params) { emit(eventType, params); },
  };
})();
