package demo

// The demo's picture of Chongqing's industry: which GB/T 4754-2017 classes
// its firms are filed under, how big and how value-adding each group is, how
// it grew, and where it sits. Every number here is a generator input (a
// shape), never a published figure; the figures are computed by the
// platform from the records these inputs produce.

// group is a family of industry classes that behave alike.
type group struct {
	key     string
	firms   float64 // relative share of above-scale firm count
	sizeMu  float64 // shift of log revenue for the body of the distribution
	va      float64 // value added ÷ output, typical
	rd      float64 // R&D ÷ revenue of firms that do R&D
	rdShare float64 // share of (untitled) firms with any R&D
	energy  float64 // kgce per ¥10k revenue
	tax     float64 // taxes ÷ revenue
	margin  float64 // profit ÷ revenue, typical
	invest  float64 // investment propensity (share of firms investing in a year)
	tech    float64 // propensity to hold technology titles (专精特新, 高企)
	// growth is nominal revenue growth into 2022, 2023 and 2024.
	growth [3]float64
	// words are the industry words used in company names.
	words   []string
	classes []classWeight
}

type classWeight struct {
	code   string
	weight float64
	big    float64 // extra log-size shift for classes of big units (整车, 整机, 面板)
}

var groups = []group{
	{key: "auto", firms: 13, sizeMu: 0.35, va: 0.22, rd: 0.028, rdShare: 0.7, energy: 18, tax: 0.035, margin: 0.045, invest: 0.45, tech: 1.2,
		growth:  [3]float64{0.02, 0.10, 0.13},
		words:   []string{"汽车零部件", "汽车配件", "汽车部件", "车桥", "汽车电子", "汽车饰件", "汽车制动系统", "车身", "齿轮", "传动系统"},
		classes: []classWeight{{"3670", 84, 0}, {"3660", 5, 0}, {"3630", 4, 0.3}, {"3620", 2, 1.0}, {"3611", 2.5, 2.0}, {"3612", 2.5, 1.6}}},
	{key: "moto", firms: 4, sizeMu: 0.2, va: 0.22, rd: 0.022, rdShare: 0.6, energy: 20, tax: 0.03, margin: 0.04, invest: 0.35, tech: 1.0,
		growth:  [3]float64{-0.03, 0.07, 0.09},
		words:   []string{"摩托车", "摩托车配件", "动力机械", "机车", "发动机"},
		classes: []classWeight{{"3752", 80, 0}, {"3751", 20, 1.2}}},
	{key: "elec", firms: 9, sizeMu: 0.55, va: 0.19, rd: 0.03, rdShare: 0.75, energy: 8, tax: 0.02, margin: 0.035, invest: 0.45, tech: 1.6,
		growth: [3]float64{0.01, -0.01, 0.08},
		words:  []string{"电子科技", "电子", "光电科技", "智能科技", "信息技术", "精密电子", "半导体", "微电子", "通信技术", "显示科技"},
		classes: []classWeight{{"3982", 12, 0}, {"3976", 7, 0}, {"3981", 7, 0}, {"3912", 9, 0.3}, {"3913", 6, 0}, {"3922", 6, 0.5}, {"3974", 4, 1.8},
			{"3972", 5, 0}, {"3973", 3, 1.0}, {"3985", 6, 0}, {"3983", 6, 0}, {"3984", 5, 0}, {"3989", 6, 0}, {"3911", 3, 2.2}, {"3914", 3, 0},
			{"3921", 3, 0.3}, {"3961", 2, 0}, {"3962", 4, 0}, {"3990", 3, 0}, {"3975", 2, 0}}},
	{key: "chem", firms: 8, sizeMu: 0.2, va: 0.24, rd: 0.015, rdShare: 0.6, energy: 160, tax: 0.04, margin: 0.06, invest: 0.4, tech: 0.7,
		growth: [3]float64{0.08, -0.06, 0.01},
		words:  []string{"化工", "化学", "新材料", "精细化工", "天然气化工", "塑胶", "橡胶制品", "化纤"},
		classes: []classWeight{{"2614", 8, 1.0}, {"2619", 6, 0}, {"2621", 4, 0.5}, {"2651", 7, 0.8}, {"2652", 2, 0.5}, {"2653", 2, 0.8}, {"2659", 4, 0},
			{"2641", 6, 0}, {"2661", 6, 0}, {"2669", 5, 0}, {"2681", 3, 0}, {"2666", 3, 0}, {"2822", 2, 0.3}, {"2911", 3, 0.5}, {"2913", 6, 0},
			{"2922", 9, 0}, {"2921", 6, 0}, {"2929", 10, 0}, {"2927", 4, 0}}},
	{key: "metal", firms: 7, sizeMu: 0.35, va: 0.2, rd: 0.012, rdShare: 0.55, energy: 130, tax: 0.03, margin: 0.03, invest: 0.4, tech: 0.7,
		growth: [3]float64{-0.05, -0.04, 0.0},
		words:  []string{"钢铁", "特钢", "铝业", "有色金属", "金属材料", "铝材", "合金材料", "冶金"},
		classes: []classWeight{{"3110", 2, 1.0}, {"3120", 3, 1.0}, {"3130", 18, 0.4}, {"3140", 4, 0}, {"3216", 4, 1.0}, {"3217", 2, 0.3}, {"3240", 8, 0},
			{"3252", 18, 0.3}, {"3251", 5, 0}, {"3259", 4, 0}, {"3391", 14, 0}, {"3392", 18, 0}}},
	{key: "build", firms: 10, sizeMu: 0.1, va: 0.27, rd: 0.01, rdShare: 0.45, energy: 260, tax: 0.05, margin: 0.05, invest: 0.3, tech: 0.5,
		growth: [3]float64{-0.1, -0.07, -0.04},
		words:  []string{"建材", "水泥", "玻璃", "新型建材", "混凝土", "陶瓷", "玻纤", "石材"},
		classes: []classWeight{{"3011", 10, 0.6}, {"3021", 22, 0}, {"3022", 8, 0}, {"3024", 6, 0}, {"3031", 8, 0}, {"3041", 3, 0.8}, {"3049", 4, 0},
			{"3061", 5, 0.5}, {"3062", 4, 0}, {"3071", 8, 0}, {"3089", 4, 0}, {"3091", 3, 0}, {"3099", 5, 0}, {"3042", 2, 0}}},
	{key: "equip", firms: 22, sizeMu: -0.15, va: 0.26, rd: 0.032, rdShare: 0.7, energy: 15, tax: 0.035, margin: 0.055, invest: 0.35, tech: 1.4,
		growth: [3]float64{0.04, 0.05, 0.07},
		words:  []string{"机械", "机械制造", "装备", "智能装备", "精密机械", "机电", "电气", "仪器仪表", "电机", "阀门", "泵业", "通用设备", "重工", "自动化设备", "电池", "能源科技", "金属制品"},
		classes: []classWeight{{"3311", 5, 0}, {"3360", 3, 0}, {"3399", 3, 0}, {"3411", 2, 0}, {"3412", 4, 0.3}, {"3421", 2, 0}, {"3425", 2, 0}, {"3441", 3, 0},
			{"3443", 3, 0}, {"3444", 2, 0}, {"3453", 4, 0}, {"3484", 8, 0}, {"3489", 3, 0}, {"3491", 2, 0}, {"3499", 3, 0}, {"3511", 2, 0}, {"3514", 2, 0},
			{"3525", 4, 0}, {"3572", 2, 0}, {"3591", 2, 0}, {"3599", 3, 0}, {"3714", 2, 0}, {"3720", 1, 0.5}, {"3731", 1, 0}, {"3744", 1, 0},
			{"3811", 2, 0}, {"3812", 2, 0}, {"3821", 3, 0.3}, {"3823", 3, 0}, {"3825", 1, 0}, {"3831", 4, 0}, {"3841", 3, 1.0}, {"3849", 1, 0},
			{"3851", 1, 0.5}, {"3852", 1, 0.5}, {"4011", 2, 0}, {"4012", 1, 0}, {"4014", 1, 0}, {"4016", 1, 0}, {"3581", 1, 0}, {"3584", 1, 0}}},
	{key: "food", firms: 12, sizeMu: -0.05, va: 0.25, rd: 0.008, rdShare: 0.4, energy: 25, tax: 0.045, margin: 0.065, invest: 0.3, tech: 0.6,
		growth: [3]float64{0.05, 0.04, 0.05},
		words:  []string{"食品", "农产品", "粮油", "调味品", "火锅食品", "饮料", "酒业", "肉类食品", "茶业", "榨菜", "饲料"},
		classes: []classWeight{{"1311", 5, 0}, {"1329", 6, 0}, {"1331", 5, 0.3}, {"1351", 6, 0.3}, {"1353", 7, 0}, {"1371", 6, 0}, {"1373", 2, 0},
			{"1391", 2, 0}, {"1392", 3, 0}, {"1399", 3, 0}, {"1431", 5, 0}, {"1432", 2, 0}, {"1433", 1, 0.5}, {"1441", 2, 0.5}, {"1462", 3, 0},
			{"1469", 9, 0}, {"1495", 2, 0}, {"1499", 3, 0}, {"1512", 6, 0.3}, {"1513", 2, 1.0}, {"1519", 2, 0}, {"1522", 3, 0}, {"1524", 2, 0},
			{"1529", 2, 0}, {"1530", 4, 0}}},
	{key: "pharma", firms: 3.2, sizeMu: 0.1, va: 0.29, rd: 0.045, rdShare: 0.85, energy: 30, tax: 0.06, margin: 0.1, invest: 0.4, tech: 1.5,
		growth:  [3]float64{0.03, 0.03, 0.04},
		words:   []string{"药业", "制药", "生物技术", "医药", "生物科技", "医疗器械"},
		classes: []classWeight{{"2710", 10, 0}, {"2720", 22, 0}, {"2730", 10, 0}, {"2740", 22, 0}, {"2750", 5, 0}, {"2761", 8, 0}, {"2762", 5, 0.5}, {"2770", 10, 0}, {"2780", 8, 0}}},
	{key: "light", firms: 6.5, sizeMu: -0.35, va: 0.25, rd: 0.012, rdShare: 0.4, energy: 30, tax: 0.035, margin: 0.045, invest: 0.25, tech: 0.5,
		growth: [3]float64{0.01, 0.02, 0.02},
		words:  []string{"纺织", "服饰", "家具", "纸业", "包装", "印务", "鞋业", "皮革", "日用品", "再生资源"},
		classes: []classWeight{{"1711", 6, 0}, {"1751", 4, 0}, {"1819", 8, 0}, {"1951", 4, 0}, {"1922", 3, 0}, {"2110", 10, 0}, {"2130", 5, 0}, {"2221", 6, 0.5},
			{"2231", 10, 0}, {"2319", 8, 0}, {"2411", 2, 0}, {"2438", 2, 0}, {"2029", 3, 0}, {"4190", 3, 0}, {"4210", 6, 0}, {"4320", 3, 0}}},
	{key: "util", firms: 3.3, sizeMu: 0.35, va: 0.29, rd: 0.004, rdShare: 0.3, energy: 380, tax: 0.06, margin: 0.06, invest: 0.6, tech: 0.1,
		growth: [3]float64{0.07, 0.05, 0.05},
		words:  []string{"电力", "能源", "燃气", "水务", "供水", "水电开发", "热力"},
		classes: []classWeight{{"4411", 8, 1.0}, {"4412", 3, 0.5}, {"4413", 22, 0}, {"4415", 5, 0}, {"4416", 5, 0}, {"4417", 2, 0}, {"4420", 10, 0.8},
			{"4430", 3, 0}, {"4511", 16, 0.3}, {"4610", 20, 0}, {"4620", 6, 0}}},
	{key: "mining", firms: 1.8, sizeMu: 0.0, va: 0.28, rd: 0.004, rdShare: 0.25, energy: 90, tax: 0.07, margin: 0.07, invest: 0.4, tech: 0.05,
		growth:  [3]float64{0.12, -0.08, -0.03},
		words:   []string{"矿业", "煤业", "页岩气开发", "石材开采", "盐化", "天然气开发"},
		classes: []classWeight{{"0610", 30, 0.3}, {"0721", 10, 1.2}, {"1011", 20, 0}, {"1019", 25, 0}, {"1020", 8, 0}, {"1030", 7, 0}}},
}

// giant is a named-size anchor firm: the few very large legal units that
// dominate industrial output (整车厂, 笔电整机, 面板, 钢铁, 电网). Revenue is
// the 2023 size in 亿元 before any calibration.
type giant struct {
	code   string
	region string
	yi     float64
	form   string // "股份有限公司" or "有限公司"
}

var giants = []giant{
	{"3611", "CQ-LJ", 1150, "股份有限公司"},
	{"3612", "500106", 420, "股份有限公司"},
	{"3612", "CQ-LJ", 260, "有限公司"},
	{"3611", "500113", 190, "有限公司"},
	{"3611", "500112", 150, "有限公司"},
	{"3670", "CQ-LJ", 120, "有限公司"},
	{"3620", "500107", 90, "有限公司"},
	{"3611", "500116", 70, "有限公司"},
	{"3911", "CQ-GXQ", 800, "有限公司"},
	{"3911", "CQ-GXQ", 620, "有限公司"},
	{"3911", "CQ-GXQ", 520, "有限公司"},
	{"3912", "CQ-GXQ", 210, "有限公司"},
	{"3974", "CQ-LJ", 360, "有限公司"},
	{"3974", "500113", 170, "有限公司"},
	{"3922", "CQ-LJ", 160, "有限公司"},
	{"3973", "CQ-GXQ", 120, "有限公司"},
	{"3982", "500112", 60, "股份有限公司"},
	{"3130", "500115", 380, "股份有限公司"},
	{"3252", "500107", 240, "有限公司"},
	{"2614", "500115", 170, "有限公司"},
	{"2653", "500102", 140, "股份有限公司"},
	{"2651", "500115", 110, "有限公司"},
	{"3216", "500119", 75, "有限公司"},
	{"4420", "500103", 430, "有限公司"},
	{"4511", "500103", 190, "股份有限公司"},
	{"4411", "500115", 75, "有限公司"},
	{"3751", "500107", 170, "股份有限公司"},
	{"3751", "500109", 115, "股份有限公司"},
	{"3751", "500116", 80, "有限公司"},
	{"1513", "500112", 75, "有限公司"},
	{"1512", "500118", 45, "股份有限公司"},
	{"1371", "500102", 30, "股份有限公司"},
	{"2762", "500112", 60, "股份有限公司"},
	{"2740", "CQ-LJ", 45, "股份有限公司"},
	{"3841", "500120", 140, "有限公司"},
	{"3821", "500106", 55, "股份有限公司"},
}

// regionWeight is a statistical unit's relative share of industrial firms
// and the groups it leans to (multipliers on the group's firm share).
type regionWeight struct {
	code   string
	weight float64
	tilt   map[string]float64
}

// Counties of north-east and south-east Chongqing lean to food, light
// industry, mining and hydropower.
var countyTilt = map[string]float64{"food": 2, "light": 1.5, "mining": 2.5, "util": 2.5, "build": 1.3, "auto": 0.3, "elec": 0.3, "moto": 0.3, "metal": 0.6}

var regionWeights = []regionWeight{
	{"500101", 3.0, map[string]float64{"food": 1.5, "chem": 1.5, "light": 1.5, "util": 1.3}},
	{"500102", 4.3, map[string]float64{"food": 2, "chem": 2.5, "metal": 1.2}},
	{"500103", 0.35, map[string]float64{"util": 4, "food": 1.5, "light": 1.5, "auto": 0.2, "metal": 0.2, "build": 0.2, "mining": 0}},
	{"500104", 1.0, map[string]float64{"metal": 1.5, "equip": 1.3, "mining": 0}},
	{"500105", 1.4, map[string]float64{"equip": 1.2, "pharma": 1.5, "food": 1.3, "mining": 0}},
	{"500106", 3.3, map[string]float64{"elec": 2, "auto": 1.5, "equip": 1.2}},
	{"500107", 4.4, map[string]float64{"moto": 3, "metal": 2, "equip": 1.3}},
	{"500108", 2.4, map[string]float64{"elec": 1.3, "pharma": 1.5, "food": 1.5, "equip": 1.2}},
	{"500109", 3.0, map[string]float64{"equip": 1.5, "moto": 2, "elec": 1.2}},
	{"500110", 2.2, map[string]float64{"auto": 1.5, "mining": 1.5, "build": 1.5, "metal": 1.3}},
	{"500111", 3.1, map[string]float64{"equip": 2, "auto": 1.3}},
	{"500112", 4.5, map[string]float64{"auto": 2, "elec": 1.5, "food": 1.2}},
	{"500113", 3.4, map[string]float64{"elec": 1.5, "auto": 1.5, "pharma": 1.5}},
	{"500114", 0.8, countyTilt},
	{"500115", 3.7, map[string]float64{"chem": 3, "metal": 2}},
	{"500116", 5.0, map[string]float64{"equip": 1.5, "food": 1.5, "moto": 1.5, "auto": 1.3}},
	{"500117", 3.1, map[string]float64{"equip": 1.3, "build": 1.3, "metal": 1.3}},
	{"500118", 3.4, map[string]float64{"equip": 1.5, "elec": 1.3, "food": 1.2}},
	{"500119", 1.3, map[string]float64{"metal": 2, "mining": 1.5, "build": 1.5}},
	{"500120", 4.4, map[string]float64{"equip": 1.5, "auto": 1.5, "elec": 1.3}},
	{"500151", 3.0, map[string]float64{"auto": 1.3, "equip": 1.5, "build": 1.3}},
	{"500152", 2.1, map[string]float64{"chem": 1.5, "food": 1.5}},
	{"500153", 2.7, map[string]float64{"food": 2, "light": 2, "pharma": 1.5}},
	{"500154", 1.5, countyTilt},
	{"500155", 1.6, map[string]float64{"food": 1.5, "light": 1.5, "equip": 1.2}},
	{"500156", 0.5, countyTilt},
	{"500229", 0.15, countyTilt},
	{"500230", 0.8, countyTilt},
	{"500231", 1.2, countyTilt},
	{"500233", 1.0, countyTilt},
	{"500235", 0.8, countyTilt},
	{"500236", 0.6, countyTilt},
	{"500237", 0.35, countyTilt},
	{"500238", 0.15, countyTilt},
	{"500240", 0.6, countyTilt},
	{"500241", 0.7, countyTilt},
	{"500242", 0.45, countyTilt},
	{"500243", 0.45, countyTilt},
	{"CQ-LJ", 6.5, map[string]float64{"auto": 3, "elec": 2.5, "equip": 1.3, "pharma": 1.5, "mining": 0}},
	{"CQ-GXQ", 2.5, map[string]float64{"elec": 5, "pharma": 1.5, "equip": 1.2, "mining": 0, "build": 0.5}},
	{"CQ-WS", 1.1, map[string]float64{"mining": 4, "build": 2, "metal": 1.5, "chem": 1.3}},
}

// Name parts. Trade names (字号) are two syllables drawn from these lists;
// they are generic auspicious characters, and combinations that are the
// trade names of well-known Chongqing firms are excluded.
var (
	tradeFirst  = []rune("华瑞鑫宏盛恒嘉泰博达天金永昌汇众远创德源凯晟锦峰宇卓诚润禾川明光立康和信通联合辉顺丰益兴祥骏腾航驰锐志伟豪佳福荣森浩智晨致拓新聚弘奥铭科力")
	tradeSecond = []rune("华瑞鑫宏盛恒嘉泰博达天金永昌汇众远创德源凯晟锦峰宇卓诚润禾川明光立康和信通联合辉顺丰益兴祥骏腾航驰锐志伟豪佳福荣森浩智晨致拓新聚弘奥铭科力美正安")
	// realTrade lists trade names of real well-known Chongqing companies that
	// the generator must not produce.
	realTrade = map[string]bool{"长安": true, "力帆": true, "宗申": true, "隆鑫": true, "嘉陵": true, "建设": true, "庆铃": true, "小康": true,
		"金康": true, "京东": true, "惠科": true, "川仪": true, "太极": true, "智飞": true, "华峰": true, "再升": true, "博腾": true, "华邦": true,
		"登康": true, "秦川": true, "三峰": true, "顺博": true, "新大": true, "渝丰": true, "宏华": true, "瑞达": true, "康华": true, "华立": true,
		"德源": true, "联合": true, "和信": true, "天宇": true, "恒通": true, "天兴": true, "华达": true, "金科": true, "众泰": true}
)
