"""The power company's tables: accounts, suspension and restoration applications, the service
hall's queue, and the priority line for vulnerable residents."""

from .accounts import AccountKind, Billing, CapacityTariff, Industry, PowerAccount, SuspensionRules, Voltage
from .applications import ApplicationEvent, ApplicationKind, ApplicationStatus, CapacityApplication, FieldOrder, Step
from .hall import BusinessKind, HallScreen, Ticket, TicketStatus, Window
from .priority import CallStatus, HomeVisit, PriorityCall, Resident, ResidentKind, Revisit, Urgency

__all__ = [
    "AccountKind",
    "ApplicationEvent",
    "ApplicationKind",
    "ApplicationStatus",
    "Billing",
    "BusinessKind",
    "CallStatus",
    "CapacityApplication",
    "CapacityTariff",
    "FieldOrder",
    "HallScreen",
    "HomeVisit",
    "Industry",
    "PowerAccount",
    "PriorityCall",
    "Resident",
    "ResidentKind",
    "Revisit",
    "Step",
    "SuspensionRules",
    "Ticket",
    "TicketStatus",
    "Urgency",
    "Voltage",
    "Window",
]
