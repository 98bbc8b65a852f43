"""The power company's tables: accounts, suspension and restoration applications, the service
hall's queue, and the priority line for vulnerable residents."""

from .accounts import AccountKind, Billing, CapacityTariff, Industry, PowerAccount, SuspensionRules, Voltage
from .applications import ApplicationEvent, ApplicationKind, ApplicationStatus, CapacityApplication, FieldOrder, Step
from .hall import BusinessKind, HallScreen, Ticket, TicketStatus, Window
from .priority import (
    REPAIR_KINDS,
    CallKind,
    CallStatus,
    HomeVisit,
    PriorityCall,
    Resident,
    ResidentKind,
    Revisit,
    Urgency,
    default_urgency,
)

__all__ = [
    "REPAIR_KINDS",
    "AccountKind",
    "ApplicationEvent",
    "ApplicationKind",
    "ApplicationStatus",
    "Billing",
    "BusinessKind",
    "CallKind",
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
    "default_urgency",
]
