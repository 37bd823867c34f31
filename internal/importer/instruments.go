package importer

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// A unit's instruments (module instruments). One row is one instrument
// of the importing unit with, optionally, one service item and its
// prices. The asset number (资产编号) is the unit's key: a row naming a
// stored instrument updates its catalogue fields, any other row enrols a
// draft. What the stored instruments allow (a retired one cannot change,
// a price of a day cannot be rewritten) is judged by the instruments
// service inside the write, so a file is written whole or not at all.

// KindInstruments is the instrument import's kind. It is not in Kinds:
// the instrument managers of a unit import on the marketplace's pages,
// not on the bureau's data-collection page.
const KindInstruments = "instruments"

// Instrument columns.
const (
	iLocalID = iota
	iName
	iClass
	iSubclass
	iModel
	iMaker
	iCountry
	iValue
	iPurchased
	iLocation
	iRegion
	iSpecs
	iCapabilities
	iSampleReq
	iContact
	iModes
	iItem
	iItemMode
	iChargeUnit
	iPriceInternal
	iPriceAcademic
	iPriceEnterprise
	iPricePartner
	iPriceFrom
)

func yuanCol(zh, title, en string, aliases ...string) colSpec {
	return colSpec{zh: zh, en: en, title: title, unitZh: "元", unitEn: "yuan", aliases: aliases}
}

var instrumentCols = newColumnSet([]colSpec{
	iLocalID:         {zh: "资产编号", en: "local_id", title: "Asset number", required: true, aliases: []string{"仪器编号", "设备编号", "所属单位内部编号", "asset no"}},
	iName:            {zh: "仪器名称", en: "instrument_name", title: "Instrument name", required: true, aliases: []string{"设备名称", "仪器设备名称", "name"}},
	iClass:           {zh: "仪器分类", en: "class", title: "Class", required: true, aliases: []string{"分类", "所属分类", "一级分类", "class code"}},
	iSubclass:        {zh: "仪器子类", en: "subclass", title: "Subclass", aliases: []string{"二级分类", "子类"}},
	iModel:           {zh: "规格型号", en: "model", title: "Model", aliases: []string{"型号", "规格"}},
	iMaker:           {zh: "生产制造商", en: "manufacturer", title: "Manufacturer", aliases: []string{"制造商", "生产厂家", "厂家", "maker"}},
	iCountry:         {zh: "产地国别", en: "country", title: "Country of origin", aliases: []string{"产地", "国别"}},
	iValue:           {zh: "原值", en: "original_value_10k", title: "Original value", unitZh: "万元", unitEn: "¥10k", bareEn: true, required: true, aliases: []string{"仪器原值", "资产原值", "original value"}},
	iPurchased:       {zh: "购置日期", en: "purchase_date", title: "Purchased on", aliases: []string{"购置时间", "启用日期"}},
	iLocation:        {zh: "安放地址", en: "location", title: "Location", aliases: []string{"放置地点", "安放地点", "地址"}},
	iRegion:          {zh: "所在区县", en: "district", title: "Instrument district", aliases: []string{"所在区域", "区县代码"}},
	iSpecs:           {zh: "主要技术指标", en: "specifications", title: "Technical specifications", aliases: []string{"技术指标", "specs"}},
	iCapabilities:    {zh: "主要功能", en: "capabilities", title: "Capabilities", aliases: []string{"主要功能及特色", "功能"}},
	iSampleReq:       {zh: "样品要求", en: "sample_requirements", title: "Sample requirements", aliases: []string{"对样品要求"}},
	iContact:         {zh: "联系方式", en: "contact", title: "Contact", aliases: []string{"联系人", "联系电话"}},
	iModes:           {zh: "服务方式", en: "modes", title: "Service modes", required: true, aliases: []string{"共享方式", "服务模式"}},
	iItem:            {zh: "服务项目", en: "service_item", title: "Service item", aliases: []string{"收费项目", "项目名称"}},
	iItemMode:        {zh: "项目服务方式", en: "item_mode", title: "Item mode", aliases: []string{"项目方式"}},
	iChargeUnit:      {zh: "计费单位", en: "charge_unit", title: "Charged per", aliases: []string{"收费单位"}},
	iPriceInternal:   yuanCol("校内价", "Internal price", "price_internal", "本单位价格", "内部价"),
	iPriceAcademic:   yuanCol("外单位学术价", "Academic price", "price_academic", "高校院所价", "学术价"),
	iPriceEnterprise: yuanCol("企业价", "Enterprise price", "price_enterprise", "企业价格", "对外价"),
	iPricePartner:    yuanCol("川渝合作价", "Partner region price", "price_partner", "合作区域价"),
	iPriceFrom:       {zh: "价格生效日期", en: "prices_from", title: "Prices effective from", aliases: []string{"生效日期", "价格生效日"}},
}, "序号", "no", "no.", "#", "备注", "remarks", "note", "状态", "status", "全局标识", "global id")

// Instrument-import message keys (texts in internal/i18n/importer.*.json).
const (
	KeyUnknownClass      = "import.err.unknown_class"    // the cell
	KeyUnknownSubclass   = "import.err.unknown_subclass" // the class's name
	KeyUnknownMode       = "import.err.unknown_mode"     // the item
	KeyUnknownChargeUnit = "import.err.unknown_charge_unit"
	KeyItemModeOffered   = "import.err.item_mode_offered"
	KeyItemIncomplete    = "import.err.item_incomplete"
	KeyItemWithoutName   = "import.err.item_without_name"
	KeyDuplicateLocalID  = "import.err.duplicate_local_id" // first line
	KeyValueZero         = "import.err.value_zero"
)

// MaxInstrumentText is the longest text cell of an instrument row.
const MaxInstrumentText = 2000

// InstrumentOptions supplies the lookups of an instrument import.
type InstrumentOptions struct {
	Regions *region.Catalogue // nil: the built-in catalogue
	Today   time.Time         // purchase dates after it are rejected; zero: now
}

// InstrumentRow is one valid row: the instrument's catalogue fields and,
// when the row names one, its service item with the prices from
// PricesFrom. Column names the header of a field for the row errors the
// service reports.
type InstrumentRow struct {
	Line       int
	Instrument instruments.Instrument
	Item       *instruments.ServiceItem
	header     []string
	idx        []int
}

// Column returns the header text the file uses for a field: "item", a
// category's price column, or else the asset number's.
func (r InstrumentRow) Column(field string) string {
	c := iLocalID
	switch field {
	case "item":
		c = iItem
	case string(instruments.Internal):
		c = iPriceInternal
	case string(instruments.ExternalAcademic):
		c = iPriceAcademic
	case string(instruments.EnterpriseUser):
		c = iPriceEnterprise
	case string(instruments.PartnerRegion):
		c = iPricePartner
	}
	if r.idx == nil || r.idx[c] < 0 {
		return ""
	}
	return r.header[r.idx[c]]
}

var modeVocab = newVocab(
	[]string{string(instruments.SelfOperation), "自主上机", "自主操作", "自主", "self-operation", "self operation"},
	[]string{string(instruments.Assisted), "协助上机", "机时服务", "协助", "assisted operation"},
	[]string{string(instruments.SampleSending), "送样检测", "委托测试", "送样", "委托检测", "sample sending", "samples"},
)

var chargeVocab = newVocab(
	[]string{string(instruments.PerHour), "小时", "机时", "元/小时", "h", "per hour"},
	[]string{string(instruments.PerSample), "样品", "样", "件", "个", "元/样", "per sample"},
)

// modeName and chargeName are the template's spellings, first of the
// vocabulary after the code.
func modeName(m instruments.Mode, lang string) string {
	zh := map[instruments.Mode]string{instruments.SelfOperation: "自主上机", instruments.Assisted: "协助上机", instruments.SampleSending: "送样检测"}
	en := map[instruments.Mode]string{instruments.SelfOperation: "self-operation", instruments.Assisted: "assisted operation", instruments.SampleSending: "sample sending"}
	if isZh(lang) {
		return zh[m]
	}
	return en[m]
}

func chargeName(u instruments.ChargeUnit, lang string) string {
	if isZh(lang) {
		return map[instruments.ChargeUnit]string{instruments.PerHour: "小时", instruments.PerSample: "样品"}[u]
	}
	return map[instruments.ChargeUnit]string{instruments.PerHour: "per hour", instruments.PerSample: "per sample"}[u]
}

var priceCols = []struct {
	col int
	cat instruments.Category
}{{iPriceInternal, instruments.Internal}, {iPriceAcademic, instruments.ExternalAcademic}, {iPriceEnterprise, instruments.EnterpriseUser}, {iPricePartner, instruments.PartnerRegion}}

// Instruments validates a unit's instrument file: every cell, then each
// instrument with the catalogue's rules (instruments.Instrument.Validate,
// without the booking rules, which the unit's defaults supply). It
// returns the valid rows and a report of every problem.
func Instruments(s *tabular.Sheet, opts InstrumentOptions) ([]InstrumentRow, Report) {
	rep := Report{Kind: KindInstruments}
	if s == nil {
		rep.errorf(0, "", KeyFileEmpty, "")
		return nil, rep
	}
	s = padded(s)
	rep.Rows = len(s.Rows)
	cat := opts.Regions
	if cat == nil {
		var err error
		if cat, err = builtinRegions(); err != nil {
			panic("importer: built-in region catalogue: " + err.Error())
		}
	}
	regions := newRegionIndex(cat)
	today := dateOf(opts.Today)
	classes, err := instruments.Classes()
	if err != nil {
		panic("importer: instrument classes: " + err.Error())
	}
	classVocab := vocab{}
	for _, c := range classes {
		for _, n := range []string{c.Code, c.NameZH, c.NameEN} {
			classVocab[normHeader(n)] = c.Code
		}
	}
	idx := instrumentCols.resolve(s.Header, s.HeaderLine, &rep)
	if len(s.Rows) == 0 {
		rep.errorf(s.HeaderLine, "", KeyNoData, "")
	}
	out := make([]InstrumentRow, 0, len(s.Rows))
	seen := map[string]int{}
	for _, row := range s.Rows {
		rc := rowCtx{rep: &rep, line: row.Line, cells: row.Cells, header: s.Header, idx: idx, ok: true}
		r := InstrumentRow{Line: row.Line, header: s.Header, idx: idx}
		in := &r.Instrument
		if v, ok := rc.required(iLocalID); ok {
			in.LocalID = trimSpace(v)
			if first, dup := seen[in.LocalID]; dup {
				rc.fail(iLocalID, KeyDuplicateLocalID, first)
			} else {
				seen[in.LocalID] = row.Line
			}
		}
		if v, ok := rc.required(iName); ok {
			in.Name = trimSpace(v)
		}
		var class instruments.Class
		if v, ok := rc.required(iClass); ok {
			code := foldWidth(v)
			if len(code) == 1 && code >= "1" && code <= "9" {
				code = "0" + code // Excel drops the leading zero of "01"
			}
			if c, found := classVocab.lookup(code); found {
				class, _ = instruments.ClassByCode(classes, c)
				in.ClassCode = c
			} else {
				rc.fail(iClass, KeyUnknownClass)
			}
		}
		if v := trimSpace(rc.cell(iSubclass)); v != "" {
			in.Subclass = v
			if class.Code != "" && len(class.Subclasses) > 0 && !contains(class.Subclasses, v) {
				rc.fail(iSubclass, KeyUnknownSubclass, class.NameZH, class.NameEN)
			}
		}
		in.Model = trimSpace(rc.cell(iModel))
		in.Manufacturer = trimSpace(rc.cell(iMaker))
		in.Country = trimSpace(rc.cell(iCountry))
		if v, ok := rc.requiredASCII(iValue); ok {
			if n, ok := rc.number(iValue, v, int64(unit.Wan), false); ok {
				if n == 0 {
					rc.fail(iValue, KeyValueZero)
				}
				in.OriginalValue = unit.Fen(n)
			}
		}
		if v := foldWidth(rc.cell(iPurchased)); v != "" {
			if d := rc.date(iPurchased, v, today); !d.IsZero() {
				in.PurchaseDate = d.Format(time.DateOnly)
			}
		}
		in.Location = trimSpace(rc.cell(iLocation))
		if v := rc.cell(iRegion); v != "" {
			if code, ok := regions.lookup(v); ok {
				in.RegionCode = code
			} else {
				rc.fail(iRegion, KeyUnknownRegion)
			}
		}
		in.Specs = trimSpace(rc.cell(iSpecs))
		in.Capabilities = trimSpace(rc.cell(iCapabilities))
		in.SampleReq = trimSpace(rc.cell(iSampleReq))
		in.Contact = trimSpace(rc.cell(iContact))
		for _, c := range []int{iName, iModel, iMaker, iCountry, iLocation, iSpecs, iCapabilities, iSampleReq, iContact, iItem} {
			if utf8.RuneCountInString(rc.cell(c)) > MaxInstrumentText {
				rc.fail(c, KeyTextTooLong, MaxInstrumentText)
			}
		}
		if v, ok := rc.required(iModes); ok {
			for _, item := range splitList(strings.ReplaceAll(v, "/", "、")) {
				code, found := modeVocab.lookup(item)
				if !found {
					rc.fail(iModes, KeyUnknownMode, item)
					continue
				}
				if !in.HasMode(instruments.Mode(code)) {
					in.Modes = append(in.Modes, instruments.Mode(code))
				}
			}
		}
		r.Item = rc.instrumentItem(in, today)
		if !rc.ok {
			continue
		}
		out = append(out, r)
	}
	rep.sort()
	return out, rep
}

// instrumentItem reads the row's service item: a name, its charge unit,
// at least one price and the day they take effect (today when empty).
// Item cells without a name are an error, so prices are never dropped.
func (rc *rowCtx) instrumentItem(in *instruments.Instrument, today time.Time) *instruments.ServiceItem {
	name := trimSpace(rc.cell(iItem))
	if name == "" {
		for _, c := range []int{iItemMode, iChargeUnit, iPriceInternal, iPriceAcademic, iPriceEnterprise, iPricePartner, iPriceFrom} {
			if rc.idx[c] >= 0 && rc.cell(c) != "" {
				rc.fail(c, KeyItemWithoutName)
				return nil
			}
		}
		return nil
	}
	it := &instruments.ServiceItem{Name: name}
	if v := rc.cell(iChargeUnit); v == "" {
		if rc.idx[iChargeUnit] >= 0 {
			rc.fail(iChargeUnit, KeyItemIncomplete)
		} else {
			rc.fail(iItem, KeyItemIncomplete)
		}
	} else if code, ok := chargeVocab.lookup(v); ok {
		it.Unit = instruments.ChargeUnit(code)
	} else {
		rc.fail(iChargeUnit, KeyUnknownChargeUnit)
	}
	if v := rc.cell(iItemMode); v != "" {
		if code, ok := modeVocab.lookup(v); !ok {
			rc.fail(iItemMode, KeyUnknownMode, v)
		} else if !in.HasMode(instruments.Mode(code)) {
			rc.fail(iItemMode, KeyItemModeOffered)
		} else {
			it.Mode = instruments.Mode(code)
		}
	} else {
		it.Mode = defaultItemMode(in, it.Unit)
	}
	from := today.Format(time.DateOnly)
	if v := foldWidth(rc.cell(iPriceFrom)); v != "" {
		d, ok := parseDate(v)
		if !ok {
			rc.fail(iPriceFrom, KeyBadDate)
		} else {
			from = d.Format(time.DateOnly)
		}
	}
	for _, p := range priceCols {
		if n, ok := rc.optNumber(p.col, int64(unit.Yuan), false); ok {
			it.Rates = append(it.Rates, instruments.Rate{Category: p.cat, EffectiveFrom: from, Price: unit.Fen(n)})
		}
	}
	if len(it.Rates) == 0 && rc.ok {
		rc.fail(iItem, KeyItemIncomplete)
	}
	return it
}

// defaultItemMode is an item's mode when the file names none: sample
// sending for a per-sample item where it is offered, else the first
// slotted mode the instrument offers.
func defaultItemMode(in *instruments.Instrument, u instruments.ChargeUnit) instruments.Mode {
	if u == instruments.PerSample && in.HasMode(instruments.SampleSending) {
		return instruments.SampleSending
	}
	for _, m := range []instruments.Mode{instruments.SelfOperation, instruments.Assisted, instruments.SampleSending} {
		if in.HasMode(m) {
			return m
		}
	}
	return instruments.SampleSending
}

// InstrumentTemplate returns the header and example rows of an instrument
// file in lang; the examples pass Instruments.
func InstrumentTemplate(lang string) (header []string, example [][]string) {
	header = instrumentHeader(lang)
	zh := isZh(lang)
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	sem := instruments.Detail{Instrument: instruments.Instrument{LocalID: "SB-2019-0001", Name: pick("场发射扫描电子显微镜", "Field-emission SEM"), ClassCode: "01",
		Subclass: "电子光学仪器", Model: "SU8010", Manufacturer: pick("日立", "Hitachi"), Country: pick("日本", "Japan"), OriginalValue: 320 * unit.Wan,
		PurchaseDate: "2019-06-18", Location: pick("理科楼 B102", "Science building B102"), RegionCode: "500109", Specs: pick("分辨率 1.0 nm", "Resolution 1.0 nm"),
		Capabilities: pick("表面形貌观察、能谱分析", "Surface morphology, EDS"), SampleReq: pick("干燥固体样品", "Dry solid samples"), Contact: "023-68250000",
		Modes: []instruments.Mode{instruments.SelfOperation, instruments.SampleSending}},
		Items: []instruments.ServiceItem{{Name: pick("机时", "Machine time"), Mode: instruments.SelfOperation, Unit: instruments.PerHour, Rates: []instruments.Rate{
			{Category: instruments.Internal, EffectiveFrom: "2024-01-01", Price: 150 * unit.Yuan}, {Category: instruments.ExternalAcademic, EffectiveFrom: "2024-01-01", Price: 300 * unit.Yuan},
			{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan}}}}}
	nmr := instruments.Detail{Instrument: instruments.Instrument{LocalID: "SB-2021-0107", Name: pick("核磁共振波谱仪", "NMR spectrometer"), ClassCode: "01",
		Subclass: "波谱仪器", Model: "AVANCE III 600", Manufacturer: "Bruker", Country: pick("德国", "Germany"), OriginalValue: 450 * unit.Wan,
		PurchaseDate: "2021-03-08", Modes: []instruments.Mode{instruments.SampleSending}},
		Items: []instruments.ServiceItem{{Name: pick("氢谱", "1H spectrum"), Mode: instruments.SampleSending, Unit: instruments.PerSample, Rates: []instruments.Rate{
			{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 300 * unit.Yuan}, {Category: instruments.PartnerRegion, EffectiveFrom: "2024-01-01", Price: 240 * unit.Yuan}}}}}
	return header, [][]string{InstrumentRecord(lang, sem, "2024-01-01"), InstrumentRecord(lang, nmr, "2024-01-01")}
}

func instrumentHeader(lang string) []string {
	var header []string
	for _, sp := range instrumentCols.specs {
		header = append(header, sp.header(lang))
	}
	return header
}

// InstrumentExport returns the header and rows of a unit's instruments in
// the import's layout, with each instrument's first service item and its
// prices in force on day, so the file imported back changes nothing.
func InstrumentExport(lang string, ds []instruments.Detail, day string) (header []string, rows [][]string) {
	rows = [][]string{}
	for _, d := range ds {
		rows = append(rows, InstrumentRecord(lang, d, day))
	}
	return instrumentHeader(lang), rows
}

// InstrumentRecord is one instrument as a row of the import's layout.
func InstrumentRecord(lang string, d instruments.Detail, day string) []string {
	in := d.Instrument
	var modes []string
	for _, m := range in.Modes {
		modes = append(modes, modeName(m, lang))
	}
	row := make([]string, len(instrumentCols.specs))
	row[iLocalID], row[iName], row[iClass], row[iSubclass] = in.LocalID, in.Name, in.ClassCode, in.Subclass
	row[iModel], row[iMaker], row[iCountry] = in.Model, in.Manufacturer, in.Country
	row[iValue] = unit.FormatScaled(int64(in.OriginalValue), int64(unit.Wan))
	row[iPurchased], row[iLocation] = in.PurchaseDate, in.Location
	if in.RegionCode != "" {
		if r, ok := builtinRegionByCode(in.RegionCode, lang); ok {
			row[iRegion] = r
		} else {
			row[iRegion] = in.RegionCode
		}
	}
	row[iSpecs], row[iCapabilities], row[iSampleReq], row[iContact] = in.Specs, in.Capabilities, in.SampleReq, in.Contact
	row[iModes] = strings.Join(modes, "、")
	if len(d.Items) > 0 {
		it := d.Items[0]
		row[iItem], row[iItemMode], row[iChargeUnit] = it.Name, modeName(it.Mode, lang), chargeName(it.Unit, lang)
		latest := ""
		for _, p := range priceCols {
			if r, ok := instruments.RateOn(it.Rates, p.cat, day); ok {
				row[p.col] = unit.FormatScaled(int64(r.Price), int64(unit.Yuan))
				latest = max(latest, r.EffectiveFrom)
			}
		}
		row[iPriceFrom] = latest
	}
	return row
}

// builtinRegionByCode names a district by its code, as the template shows
// it (the code is accepted as well).
func builtinRegionByCode(code, lang string) (string, bool) {
	c, err := builtinRegions()
	if err != nil {
		return "", false
	}
	for _, r := range c.Regions {
		if r.Code == code {
			if !isZh(lang) && r.NameEn != "" {
				return r.NameEn, true
			}
			return r.NameZh, true
		}
	}
	return "", false
}
