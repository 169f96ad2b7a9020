"""The connection panel and channel panels, driven through a controller on the in-process simulator."""

from __future__ import annotations

import pytest

from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.gui.stimulator.device_panel import NETWORK, StimulatorPanel
from neurotimer.gui.stimulator.output_panel import ChannelsPanel
from neurotimer.stimulator.driver import LinkState
from neurotimer.stimulator.simlink import SimDevicePort
from neurotimer.stimulator.transport import PortInfo


@pytest.fixture
def setup(qtbot, clock, open_interlock):
    sim = SimDevicePort(clock)
    urls = []

    def factory_for(url, c):
        urls.append(url)
        if url.startswith("sim:"):
            return sim.open

        def unreachable():
            raise OSError("connection refused")  # a configured device that is switched off

        return unreachable

    ctl = StimulatorController(clock, interlock=open_interlock, factory_for=factory_for, poll_ms=20)
    panel = StimulatorPanel(ctl, list_ports=lambda: [PortInfo("/dev/ttyACM0", "NTS-1")])
    channels = ChannelsPanel(ctl)
    qtbot.addWidget(panel)
    qtbot.addWidget(channels)
    yield ctl, panel, channels, sim, urls
    ctl.shutdown()


def connect(qtbot, ctl, panel) -> None:
    with qtbot.waitSignal(ctl.deviceConnected, timeout=3000):
        panel.connect_button.click()
    qtbot.waitUntil(lambda: ctl.last_status(4) is not None, timeout=3000)


def test_sources_list_simulator_ports_and_network(setup) -> None:
    _, panel, *_ = setup
    labels = [panel.source.itemText(i) for i in range(panel.source.count())]
    assert labels == ["Simulator — no current reaches the patient", "/dev/ttyACM0 — NTS-1", "Network (host:port)"]


def test_connect_shows_identity_and_one_card_per_channel(qtbot, setup) -> None:
    ctl, panel, channels, _, urls = setup
    connect(qtbot, ctl, panel)
    assert urls == ["sim:"]
    assert "SIM-4 · 4 channels" in panel.identity_label.text()
    assert "Connected" in panel.link_label.text()
    assert sorted(channels.channels) == [1, 2, 3, 4]
    assert panel.connect_button.text() == "Disconnect"


def test_network_address_is_required_and_made_a_socket_url(qtbot, setup) -> None:
    _, panel, _, _, urls = setup
    panel.source.setCurrentIndex(panel.source.findData(NETWORK))
    panel.connect_button.click()
    assert "host:port" in panel.message_label.text()
    assert urls == []
    panel.address.setText("127.0.0.1:5025")
    assert panel.chosen_url() == "socket://127.0.0.1:5025"


def test_switch_on_only_from_zero_and_high_output_badge(qtbot, setup, clock) -> None:
    ctl, panel, channels, _, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[1]
    assert card.switch.isEnabled() and card.switch.text() == "Switch on"
    card.switch.click()
    qtbot.waitUntil(lambda: card.output_label.text() == "ON", timeout=3000)
    ctl.set_slew(1, 2.0)
    ctl.set_current(1, 10.5)
    qtbot.waitUntil(lambda: card.target.value() == 10.5, timeout=3000)
    assert not card.high_label.isHidden()  # the target is already above 10 mA
    card.switch.click()  # off
    qtbot.waitUntil(lambda: card.output_label.text() == "OFF", timeout=3000)
    assert card.target.value() == 0.0 and card.high_label.isHidden()


def test_step_buttons_move_the_target_by_their_step(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[2]
    card.switch.click()
    qtbot.waitUntil(lambda: card.output_label.text() == "ON", timeout=3000)
    card.step_buttons[0.5].click()
    qtbot.waitUntil(lambda: sim.model.status(2).target_ma == 0.5, timeout=3000)
    qtbot.waitUntil(lambda: card.target.value() == 0.5, timeout=3000)
    card.step_buttons[0.1].click()
    qtbot.waitUntil(lambda: sim.model.status(2).target_ma == 0.6, timeout=3000)


def test_lead_off_is_shown_and_switch_on_disabled(qtbot, setup) -> None:
    ctl, panel, channels, _, _ = setup
    connect(qtbot, ctl, panel)
    ctl.command("SIMulate:LEAD3 OFF")
    card = channels.channels[3]
    qtbot.waitUntil(lambda: card.lead_label.text() == "LEAD OFF", timeout=3000)
    assert not card.switch.isEnabled()


def test_refused_value_is_shown_in_the_panel(qtbot, setup) -> None:
    ctl, panel, _, _, _ = setup
    connect(qtbot, ctl, panel)
    ctl.set_current(2, 25)
    qtbot.waitUntil(lambda: "maximum intensity of 20 mA" in panel.message_label.text(), timeout=3000)


def test_emergency_stop_shows_outputs_off(qtbot, setup) -> None:
    ctl, panel, channels, _, _ = setup
    connect(qtbot, ctl, panel)
    for n in (1, 2):
        channels.channels[n].switch.click()
    qtbot.waitUntil(lambda: channels.channels[2].output_label.text() == "ON", timeout=3000)
    with qtbot.waitSignal(ctl.emergencyStopConfirmed, timeout=3000):
        ctl.emergency_stop()
    assert [channels.channels[n].output_label.text() for n in (1, 2, 3, 4)] == ["OFF"] * 4


def test_lost_link_is_shown_and_disconnect_clears(qtbot, setup, clock) -> None:
    ctl, panel, channels, _, _ = setup
    connect(qtbot, ctl, panel)
    with qtbot.waitSignal(ctl.alarm, timeout=3000):
        ctl.command("SIMulate:DROP")
    assert "Link lost" in panel.link_label.text()
    assert channels.channels[1].output_label.text() == "—"  # nothing shown as confirmed any more
    with qtbot.waitSignal(ctl.linkStateChanged, timeout=3000) as state:
        panel.connect_button.click()  # now "Disconnect"
    assert state.args == [LinkState.DISCONNECTED]
    assert panel.connect_button.text() == "Use the simulator" and channels.scroll.isHidden()


def test_cards_show_what_the_device_holds_and_revert_a_refused_value(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    sim.model.feed(b"SOURce2:FUNCtion DENS\nSOURce2:PULSe:WIDTh 450\n")
    connect(qtbot, ctl, panel)
    card = channels.channels[2]
    qtbot.waitUntil(lambda: card.pulse_width.value() == 450, timeout=3000)
    assert card.mode.currentText() == "Dense-disperse"
    assert not card.freq_low.isHidden() and card.freq.isHidden()
    card.freq_low.setValue(150)  # above the high rate of 100 Hz: refused, and shown back as it was
    qtbot.waitUntil(lambda: card.freq_low.value() == 2, timeout=3000)
    assert "must be below the high frequency (100 Hz)" in panel.message_label.text()


def test_the_ramp_rate_is_set_per_channel_and_shown_as_the_device_holds_it(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[3]
    assert card.slew.value() == 0.5
    card.slew.setValue(1.2)
    qtbot.waitUntil(lambda: sim.model.channels[2].slew == 1.2, timeout=3000)
    qtbot.waitUntil(lambda: ctl.last_settings(3).slew == 1.2, timeout=3000)


def test_fifty_typed_in_an_ma_box_is_refused_with_a_message_never_read_as_five(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[1]
    card.target.setFocus()
    card.target.lineEdit().selectAll()
    with qtbot.waitSignal(ctl.refused, timeout=3000) as refusal:
        qtbot.keyClicks(card.target, "50")
        qtbot.keyClick(card.target, "\r")
    assert "50 mA is above this stimulator's maximum intensity of 20 mA" in refusal.args[0]
    assert card.target.value() == 0.0
    assert sim.model.status(1).target_ma == 0.0


def test_the_steps_are_disabled_while_the_link_is_down(qtbot, setup) -> None:
    ctl, panel, channels, _, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[1]
    assert all(b.isEnabled() for b in card.step_buttons.values())
    with qtbot.waitSignal(ctl.alarm, timeout=3000):
        ctl.command("SIMulate:DROP")
    assert not any(b.isEnabled() for b in card.step_buttons.values())


def test_the_panel_names_the_device_from_its_idn_and_marks_the_simulator(qtbot, setup) -> None:
    ctl, panel, *_ = setup
    assert panel.identity_label.text() == "No stimulator connected" and panel.simulator_label.isHidden()
    connect(qtbot, ctl, panel)
    assert panel.identity_label.text().startswith("NeuroTimer SIM-4 · 4 channels · serial SIM000001")
    assert not panel.simulator_label.isHidden()
    assert panel.simulator_label.text() == "SIMULATOR — no current reaches the patient"
    assert panel.link_label.text() == "● Connected to the simulator"


def test_a_configured_device_that_cannot_be_reached_stays_the_choice(qtbot, setup) -> None:
    ctl, panel, _channels, _, urls = setup
    with qtbot.waitSignal(ctl.refused, timeout=3000):
        ctl.connect_device("socket://192.0.2.7:5025")  # as the app does at start with the remembered device
    assert "Cannot open the stimulator connection" in panel.message_label.text()
    assert ctl.link_state is LinkState.DISCONNECTED
    assert panel.source.currentData() == NETWORK and panel.address.text() == "192.0.2.7:5025"
    assert panel.connect_button.text() == "Connect"
    with qtbot.waitSignal(ctl.refused, timeout=3000):
        panel.connect_button.click()  # tries the configured device again, never the simulator
    assert urls[-1] == "socket://192.0.2.7:5025"
    assert not any(url.startswith("sim:") for url in urls)
    with qtbot.waitSignal(ctl.refused, timeout=3000):
        ctl.connect_device("/dev/ttyUSB9")
    assert panel.source.currentData() == "/dev/ttyUSB9"
    assert "not found now" in panel.source.currentText()
    panel.source.setCurrentIndex(panel.source.findData("sim:"))
    assert panel.connect_button.text() == "Use the simulator"


def test_the_reconnecting_message_goes_once_the_link_is_back(qtbot, setup, clock) -> None:
    ctl, panel, *_ = setup
    connect(qtbot, ctl, panel)
    with qtbot.waitSignal(ctl.alarm, timeout=3000):
        ctl.command("SIMulate:DROP")
    with qtbot.waitSignal(ctl.refused, timeout=3000):
        ctl.set_frequency(1, 20)
    assert "reconnecting" in panel.message_label.text()
    clock.advance(1.5)
    qtbot.waitUntil(lambda: ctl.link_state is LinkState.CONNECTED, timeout=3000)
    assert panel.link_label.text().startswith("● Connected")
    assert panel.message_label.text() == ""


def test_a_message_never_moves_the_channel_cards(qtbot, setup) -> None:
    ctl, panel, *_ = setup
    panel.show()
    connect(qtbot, ctl, panel)
    height = panel.sizeHint().height()
    with qtbot.waitSignal(ctl.refused, timeout=3000):
        ctl.set_current(1, 25)
    assert panel.message_label.text() and panel.sizeHint().height() == height


def type_into(qtbot, box, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, "\r")


def test_a_comma_in_the_ma_box_is_refused_never_read_as_ten_times_the_current(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[1]
    with qtbot.waitSignal(ctl.refused, timeout=3000) as refusal:
        type_into(qtbot, card.target, "1,5")
    assert "“1,5” was not used" in refusal.args[0] and "1.5" in refusal.args[0]
    assert card.target.value() == 0.0 and "15" not in card.target.text()
    type_into(qtbot, card.target, "1.5")  # the same box still takes a value written with a point
    qtbot.waitUntil(lambda: sim.model.status(1).target_ma == 1.5, timeout=3000)


def test_a_comma_in_a_rate_box_is_refused_and_nothing_is_sent(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[2]
    with qtbot.waitSignal(ctl.refused, timeout=3000):
        type_into(qtbot, card.freq, "2,5")
    assert card.freq.value() == 2 and sim.model.channels[1].freq == 2


def test_a_pulse_width_out_of_range_is_refused_with_a_message_never_cut_to_fit(qtbot, setup) -> None:
    ctl, panel, channels, sim, _ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[1]
    with qtbot.waitSignal(ctl.refused, timeout=3000) as refusal:
        type_into(qtbot, card.pulse_width, "9999")
    assert "9999" in refusal.args[0]
    qtbot.waitUntil(lambda: card.pulse_width.value() == 300, timeout=3000)
    assert sim.model.channels[0].width_us == 300


def test_a_device_back_from_a_lost_link_with_its_settings_reset_is_set_again_and_says_so(qtbot, setup, clock) -> None:
    ctl, panel, channels, *_ = setup
    connect(qtbot, ctl, panel)
    card = channels.channels[1]
    ctl.set_frequency(1, 100)
    ctl.set_pulse_width(1, 200)
    ctl.set_slew(1, 1.0)
    qtbot.waitUntil(lambda: ctl.last_settings(1).slew == 1.0, timeout=3000)
    ctl.set_current(1, 2.0)
    qtbot.waitUntil(lambda: (s := ctl.last_status(1)) is not None and s.target_ma == 2.0, timeout=3000)
    ctl.command("*RST")  # the device forgets its settings (as one that restarted would) …
    with qtbot.waitSignal(ctl.alarm, timeout=3000):
        ctl.command("SIMulate:DROP")  # … and the link goes
    clock.advance(1.5)
    with qtbot.waitSignal(ctl.refused, timeout=5000) as said:
        pass
    assert "set them again" in said.args[0] and "CH1 100 Hz continuous, 200 µs, 1 mA/s" in said.args[0]
    assert "CH1 2.0 mA" in said.args[0] and "raise the intensity again" in said.args[0]
    qtbot.waitUntil(lambda: ctl.last_settings(1).slew == 1.0, timeout=3000)
    settings = ctl.last_settings(1)
    assert (settings.freq, settings.width_us) == (100, 200)
    assert card.freq.value() == 100 and card.pulse_width.value() == 200 and card.slew.value() == 1.0
    qtbot.waitUntil(lambda: ctl.last_status(1) is not None, timeout=3000)
    assert ctl.last_status(1).target_ma == 0.0 and not ctl.last_status(1).output  # never raised by itself
    assert said.args[0] in panel.message_label.toolTip()
